export * from './tracking.module';
export * from './tracking.commands';
export * from './tracking.queries';
export * from './tracking-index.projection';

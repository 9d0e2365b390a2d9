export * from './events';
export * from './streams';
export * from './topics';

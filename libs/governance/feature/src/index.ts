export * from './governance.commands';
export * from './governance.module';

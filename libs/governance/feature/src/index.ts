export * from './governance.commands';
export * from './governance.module';
export * from './approval-command.consumer';

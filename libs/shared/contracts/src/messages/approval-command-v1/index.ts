export * from './approval-command-v1';

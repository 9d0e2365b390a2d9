export * from './training-run-completed-v1';
export * from './approval-command-v1';
export * from './message-rejected-v1';

export * from './training-run-completed-v1';

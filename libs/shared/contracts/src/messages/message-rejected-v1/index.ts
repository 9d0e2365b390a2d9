export * from './message-rejected-v1';

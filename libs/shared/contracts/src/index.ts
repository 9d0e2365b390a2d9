export * from './events';
export * from './streams';
export * from './topics';
export * from './domain-error';
export * from './principal';
export * from './stage-rules';
export * from './cloudevents';
export * from './messages';

export * from './stage-rules';
export * from './model-name.decider';
export * from './registered-model.decider';
export * from './alias-protection';
export * from './model-version.decider';
export * from './training-run.decider';

export * from './tracking-rules';
export * from './experiment-name.decider';
export * from './experiment.decider';
export * from './run.decider';
export * from './logged-model.decider';
export * from './registration-source';

export * from './approval-policy.decider';
export * from './transition.decider';
export * from './version-transitions.decider';

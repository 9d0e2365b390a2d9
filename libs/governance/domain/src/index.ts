export * from './approval-policy.decider';
export * from './transition.decider';
export * from './version-transitions.decider';
export * from './api-token.decider';
export * from './webhook-subscription.decider';
export * from './webhook-delivery';

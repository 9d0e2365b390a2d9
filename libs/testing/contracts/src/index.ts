export * from './contract-helpers';
export * from './event-store.contract';
export * from './event-bus.contract';
export * from './read-store.contract';
export * from './artifact-storage.contract';
export * from './decider-spec';
export * from './registry-history';
export * from './stored-v1-events';

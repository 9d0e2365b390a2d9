export * from './public-events.v1';
export * from './webhook-events.v1';
export * from './integration-events';

export * from './event';
export * from './model';
export * from './artifact';
export * from './governance';
export * from './webhook';
export * from './api-token';
export * from './tracking';
export * from './upcasters';

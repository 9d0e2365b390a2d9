export * from './registry/mlflow-registry.modules';
export * from './wire/stages';
export * from './wire/entities';
export * from './tracking';
export * from './artifacts';

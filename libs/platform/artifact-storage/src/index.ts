export * from './artifact-storage.port';
export * from './fs-artifact-storage';

export * from './artifact-storage.port';
export * from './fs-artifact-storage';
export * from './s3-artifact-storage';

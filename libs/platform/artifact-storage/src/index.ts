export * from './artifact-storage.port';

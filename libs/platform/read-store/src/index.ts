export * from './read-store.port';
export * from './in-memory-filter';
export * from './sqlite-read-store';
export * from './mongo-read-store';

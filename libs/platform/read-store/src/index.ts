// The port only: adapters are their own entry points (`/sqlite`, `/mongo`), so code that needs the token
// does not load mongoose.
export * from './read-store.port';
export * from './in-memory-filter';

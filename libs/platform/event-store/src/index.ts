// The port only: adapters are their own entry points (`/sqlite`, `/kurrentdb`, `/postgres`), so code that needs the token
// does not load a database client.
export * from './event-store.port';
export * from './event-chain';
export * from './upcasting-event-store';
export * from './stream-folds';

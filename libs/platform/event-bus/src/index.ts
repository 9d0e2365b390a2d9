// The port only: adapters are their own entry points (`/in-process`, `/kafka`), so code that needs the token
// does not load kafkajs.
export * from './event-bus.port';
export * from './namespaced-event-bus';

export * from './event-bus.port';
export * from './in-process-event-bus';

export * from './registry-client';
export * from './scenarios';
export * from './fixtures';
export * from './raw-http';
import './scenarios/index';
export * from './distributed-topology';
export * from './network-namespaces';
export * from './integration-messages';
export * from './fault-load';

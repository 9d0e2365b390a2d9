export * from './registry-client';
export * from './scenarios';
import './scenarios/index';

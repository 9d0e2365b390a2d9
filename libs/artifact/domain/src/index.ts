export * from './artifact-manifest.decider';

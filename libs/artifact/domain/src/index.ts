export * from './artifact-manifest.decider';
export * from './artifact-tree.decider';

export * from './names';
export * from './artifact-path';
export * from './content-digest';
export * from './iso-time';
export * from './text-checks';

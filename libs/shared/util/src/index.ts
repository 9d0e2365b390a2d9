export * from './names';
export * from './artifact-path';
export * from './content-digest';
export * from './iso-time';
export * from './text-checks';
export * from './uri';
export * from './json-duplicates';

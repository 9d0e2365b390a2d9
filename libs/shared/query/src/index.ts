export * from './filter.ast';
export * from './filter.errors';
export * from './filter.parser';
export * from './filter.pattern';
export * from './filter.binder';
export * from './page-token';

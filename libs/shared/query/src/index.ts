export * from './filter.ast';

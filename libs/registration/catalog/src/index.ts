export * from './model-lookup';
export * from './registration-catalog.module';

export * from './model-directory';
export * from './registration.commands';
export * from './registration.module';

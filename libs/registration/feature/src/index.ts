export * from './model-directory';
export * from './registration.commands';
export * from './registration.module';
export * from './training-run-completed.consumer';
export * from './dto/model-version.response';

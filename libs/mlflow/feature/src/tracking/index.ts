export * from './mlflow-tracking.module';

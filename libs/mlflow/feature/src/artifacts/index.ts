export * from './mlflow-artifacts.module';

export * from './policy-lookup';
export * from './governance-catalog.module';

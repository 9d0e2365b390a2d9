export * from './servers';
export * from './oidc-provider';

// The port only: adapters are their own entry points (`/fs`, `/s3`), so code that needs the token does not
// load the AWS SDK.
export * from './artifact-storage.port';

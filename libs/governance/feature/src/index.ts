export * from './governance.commands';
export * from './governance.module';
export * from './approval-command.consumer';
export * from './dto/transition.response';
export * from './dto/policy.response';
export { WEBHOOK_READ_MODELS } from './webhooks/webhook-subscriptions.projection';
export { API_TOKEN_READ_MODELS } from './api-tokens/api-token-inventory.projection';

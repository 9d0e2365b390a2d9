import type { Event } from './event';

// ---- stream webhook-<subscriptionId> (governance): who is told of the registry's events, where, and how ----------
// No secret is ever stored: a subscription's signing secrets are derived from the server's webhook key and the
// secret's generation (decision 34), so the log, the bus and the read models hold only the generation number.
// `scopeModelId` (absent for a registry-wide subscription) is not named `modelId`, so these events stay out of the
// model's history, which every reader of the model sees.

/** The settings a subscription is created with and changed to. */
export interface WebhookSettings {
  /** https (http only to the loopback, where an admin allows it), no credentials, no fragment. */
  readonly url: string;
  /** CloudEvents types of public events (`io.mreg.<context>.<Type>.v<n>`), at least one. */
  readonly eventTypes: readonly string[];
  readonly description: string;
}

export type WebhookSubscribed = Event<'WebhookSubscribed', WebhookSettings & { subscriptionId: string; scopeModelId?: string; enabled: boolean; secretGeneration: number }>;
export type WebhookSubscriptionChanged = Event<'WebhookSubscriptionChanged', WebhookSettings & { subscriptionId: string; scopeModelId?: string }>;
export type WebhookEnabled = Event<'WebhookEnabled', { subscriptionId: string; scopeModelId?: string }>;
/** `requested`: by a manager; `failing`: a delivery failed for good with no success since it first failed. */
export type WebhookDisabled = Event<'WebhookDisabled', { subscriptionId: string; scopeModelId?: string; reason: 'requested' | 'failing'; detail: string }>;
/** A new signing secret; the previous one still signs (beside it) until `previousExpiresAt`. */
export type WebhookSecretRotated = Event<'WebhookSecretRotated', { subscriptionId: string; scopeModelId?: string; generation: number; previousGeneration: number; previousExpiresAt: string }>;
export type WebhookDeleted = Event<'WebhookDeleted', { subscriptionId: string; scopeModelId?: string }>;
export type WebhookEvent = WebhookSubscribed | WebhookSubscriptionChanged | WebhookEnabled | WebhookDisabled | WebhookSecretRotated | WebhookDeleted;

export const WEBHOOK_DISABLE_REASONS = ['requested', 'failing'] as const;

import { Type } from '@sinclair/typebox';
import { WEBHOOK_DISABLE_REASONS } from '../events/webhook';
import { stringEnum } from '../schema';
import type { PublicEventDefinition } from './public-events.v1';

// Public events of webhook subscriptions (governance, stream `webhook-<id>`), version 1. Published on
// `mreg.governance.events.v1` like the rest of governance's events; no secret is in any of them.

const CLOSED = { additionalProperties: false } as const;
const SubscriptionId = Type.String({ format: 'uuid', description: 'Webhook subscription id.' });
const ScopeModelId = Type.Optional(Type.String({ format: 'uuid', description: 'The model a per-model subscription is for; absent for a registry-wide one.' }));
const Settings = {
  url: Type.String({ description: 'Where deliveries are POSTed.' }),
  eventTypes: Type.Array(Type.String(), { description: 'CloudEvents types delivered (io.mreg.<context>.<Type>.v<n>).' }),
  description: Type.String(),
};

function v1<D extends PublicEventDefinition['data']>(summary: string, data: D): PublicEventDefinition<D> & { readonly version: 1 } {
  return { version: 1, stream: 'webhook', summary, data };
}

export const WEBHOOK_EVENTS_V1 = {
  WebhookSubscribed: v1(
    'A webhook subscription was created: the events of the registry (registry-wide, by an admin) or of one model (by a manager of it) of the given types are POSTed to `url`, signed by the Standard Webhooks scheme with a secret of generation `secretGeneration`.',
    Type.Object({ subscriptionId: SubscriptionId, scopeModelId: ScopeModelId, ...Settings, enabled: Type.Boolean(), secretGeneration: Type.Integer({ minimum: 1 }) }, CLOSED),
  ),
  WebhookSubscriptionChanged: v1("A webhook subscription's URL, event types or description changed (all three as they are now).", Type.Object({ subscriptionId: SubscriptionId, scopeModelId: ScopeModelId, ...Settings }, CLOSED)),
  WebhookEnabled: v1('A webhook subscription was enabled again: events from now on are delivered.', Type.Object({ subscriptionId: SubscriptionId, scopeModelId: ScopeModelId }, CLOSED)),
  WebhookDisabled: v1(
    'A webhook subscription was disabled: by a manager (`requested`), or by the registry after a delivery failed every attempt with no successful delivery since it first failed (`failing`). Nothing is delivered until it is enabled again.',
    Type.Object({ subscriptionId: SubscriptionId, scopeModelId: ScopeModelId, reason: stringEnum(WEBHOOK_DISABLE_REASONS), detail: Type.String() }, CLOSED),
  ),
  WebhookSecretRotated: v1(
    "A webhook subscription's signing secret was replaced by generation `generation`; deliveries carry signatures of both it and `previousGeneration` until `previousExpiresAt`.",
    Type.Object({ subscriptionId: SubscriptionId, scopeModelId: ScopeModelId, generation: Type.Integer({ minimum: 2 }), previousGeneration: Type.Integer({ minimum: 1 }), previousExpiresAt: Type.String({ format: 'date-time' }) }, CLOSED),
  ),
  WebhookDeleted: v1('A webhook subscription was deleted: nothing more is delivered, pending retries are dropped.', Type.Object({ subscriptionId: SubscriptionId, scopeModelId: ScopeModelId }, CLOSED)),
};

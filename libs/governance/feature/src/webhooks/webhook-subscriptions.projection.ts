import { TOPICS, streamCategory } from '@mreg/shared/contracts';
import type { RecordedEvent, WebhookEvent } from '@mreg/shared/contracts';
import { webhookSubscriptionDecider } from '@mreg/governance/domain';
import type { WebhookSubscriptionState } from '@mreg/governance/domain';
import type { BoundField } from '@mreg/shared/query';
import type { ReadStore } from '@mreg/platform/read-store';
import type { Projection } from '@mreg/platform/runtime';

export const WEBHOOK_COLLECTIONS = { subscriptions: 'webhook_subscriptions', deliveries: 'webhook_deliveries', targets: 'webhook_targets' } as const;

/** A subscription as lists show it and deliveries find it: its state folded by the decider, and who made it when. */
export interface WebhookSubscriptionDoc {
  readonly id: string;
  /** `registry`, or the model id of a per-model subscription: what deliveries and lists select by. */
  readonly scope: string;
  /** `enabled`, `disabled` or `deleted`. */
  readonly status: 'enabled' | 'disabled' | 'deleted';
  readonly state: WebhookSubscriptionState;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
}

export const REGISTRY_SCOPE = 'registry';

export const SUBSCRIPTION_FIELDS = {
  scope: { name: 'scope', path: ['scope'], type: 'string' },
  status: { name: 'status', path: ['status'], type: 'string' },
  createdAt: { name: 'createdAt', path: ['createdAt'], type: 'timestamp' },
} as const satisfies Record<string, BoundField>;

/** Pure: the document after one event of a subscription's stream. */
export function evolveSubscriptionDoc(doc: WebhookSubscriptionDoc | undefined, event: RecordedEvent<WebhookEvent>): WebhookSubscriptionDoc {
  const state = webhookSubscriptionDecider.evolve(doc?.state ?? webhookSubscriptionDecider.initialState, { type: event.type, data: event.data } as WebhookEvent);
  return {
    id: state.subscriptionId,
    scope: state.scopeModelId ?? REGISTRY_SCOPE,
    status: state.deleted ? 'deleted' : state.enabled ? 'enabled' : 'disabled',
    state,
    createdAt: doc?.createdAt ?? event.metadata.occurredAt,
    createdBy: doc?.createdBy ?? event.metadata.actor,
    updatedAt: event.metadata.occurredAt,
  };
}

/** The subscriptions read model (runs with governance, which owns the streams): lists, and who gets an event. */
export class WebhookSubscriptionsProjection implements Projection {
  readonly name = 'webhook-subscriptions';
  readonly topics = [TOPICS.governanceEvents];

  constructor(private readonly store: ReadStore) {}

  async handle(event: RecordedEvent): Promise<void> {
    if (streamCategory(event.streamId) !== 'webhook') return;
    const data = event.data as { subscriptionId?: unknown };
    if (typeof data.subscriptionId !== 'string') return;
    await this.store.collection<WebhookSubscriptionDoc>(WEBHOOK_COLLECTIONS.subscriptions).apply(data.subscriptionId, event.streamId, event.streamRevision, (doc) => evolveSubscriptionDoc(doc, event as RecordedEvent<WebhookEvent>));
  }
}

/** The subscriptions as a read model to rebuild from the log (the replay's `others`). */
export const WEBHOOK_READ_MODELS = {
  projections: (store: ReadStore): readonly Projection[] => [new WebhookSubscriptionsProjection(store)],
  collections: [WEBHOOK_COLLECTIONS.subscriptions],
} as const;

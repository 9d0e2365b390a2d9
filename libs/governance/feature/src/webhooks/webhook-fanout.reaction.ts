import { Inject, Injectable } from '@nestjs/common';
import { ALL_EVENT_TOPICS, cloudEventHeaders, publicEventOf } from '@mreg/shared/contracts';
import type { RecordedEvent } from '@mreg/shared/contracts';
import { modelOfEvent, wantsEvent, webhookMessageId } from '@mreg/governance/domain';
import { READ_STORE } from '@mreg/platform/read-store';
import type { ReadStore } from '@mreg/platform/read-store';
import type { Reaction } from '@mreg/platform/runtime';
import type { BoundFilter } from '@mreg/shared/query';
import { WebhookDeliveries } from './webhook-deliveries';
import { WebhookDispatcher } from './webhook-dispatcher';
import { MAX_DELIVERY_BODY_BYTES } from './webhook-settings';
import { REGISTRY_SCOPE, SUBSCRIPTION_FIELDS, WEBHOOK_COLLECTIONS } from './webhook-subscriptions.projection';
import type { WebhookSubscriptionDoc } from './webhook-subscriptions.projection';

/** Subscriptions an event may concern are few; a page this large holds every one of them. */
const MAX_SUBSCRIPTIONS_PER_EVENT = 1000;

/**
 * The CloudEvent a webhook carries, in structured mode (`application/cloudevents+json`): the attributes the public
 * topics carry as `ce_` headers, and the public payload as `data` — the same event a Kafka subscriber gets.
 */
export function cloudEventBody(event: RecordedEvent): string {
  const attributes: Record<string, string> = {};
  for (const [header, value] of Object.entries(cloudEventHeaders(event))) {
    if (header.startsWith('ce_')) attributes[header.slice(3)] = value;
  }
  return JSON.stringify({ ...attributes, datacontenttype: 'application/json', data: publicEventOf(event).data });
}

/**
 * Turns every public event into deliveries, one per subscription that wants it (consumer group
 * `mreg.reaction.webhook-delivery`: with Kafka, each event reaches one replica). The delivery is recorded before
 * anything is sent, keyed by its webhook-id, so a redelivered event records nothing new; the dispatcher sends it.
 */
@Injectable()
export class WebhookFanout implements Reaction {
  readonly name = 'webhook-delivery';
  readonly topics = [...ALL_EVENT_TOPICS];

  constructor(
    @Inject(READ_STORE) private readonly store: ReadStore,
    private readonly deliveries: WebhookDeliveries,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  async handle(event: RecordedEvent): Promise<void> {
    const { ceType } = publicEventOf(event);
    const modelId = modelOfEvent(event.data);
    const subscribers = (await this.candidates(modelId)).filter((doc) =>
      wantsEvent({ enabled: doc.status === 'enabled', eventTypes: doc.state.eventTypes, ...(doc.state.scopeModelId !== undefined ? { scopeModelId: doc.state.scopeModelId } : {}) }, ceType, modelId),
    );
    if (subscribers.length === 0) return;
    const body = cloudEventBody(event);
    const now = new Date().toISOString();
    // Larger than any event the API takes: recorded as failed rather than sent, so that the log shows it.
    const tooLarge = Buffer.byteLength(body) > MAX_DELIVERY_BODY_BYTES;
    let added = false;
    for (const subscription of subscribers) {
      const recorded = await this.deliveries.enqueue({
        id: webhookMessageId(subscription.id, event.metadata.eventId),
        subscriptionId: subscription.id,
        eventId: event.metadata.eventId,
        eventType: ceType,
        createdAt: now,
        status: tooLarge ? 'failed' : 'pending',
        nextAttemptAt: now,
        attempts: 0,
        seriesAttempts: 0,
        recentAttempts: [],
        ...(tooLarge ? { reason: `the event is larger than ${MAX_DELIVERY_BODY_BYTES} bytes` } : {}),
        body: tooLarge ? '' : body,
      });
      added ||= recorded;
    }
    if (added) this.dispatcher.wake();
  }

  /** The enabled subscriptions of the registry, and of the event's model when it has one. */
  private async candidates(modelId: string | undefined): Promise<readonly WebhookSubscriptionDoc[]> {
    const scopes = modelId === undefined ? [REGISTRY_SCOPE] : [REGISTRY_SCOPE, modelId];
    const filter: BoundFilter = {
      kind: 'and',
      left: { kind: 'compare', field: SUBSCRIPTION_FIELDS.status, op: '=', value: 'enabled' },
      right: { kind: 'in', field: SUBSCRIPTION_FIELDS.scope, values: scopes },
    };
    const page = await this.store.collection<WebhookSubscriptionDoc>(WEBHOOK_COLLECTIONS.subscriptions).find({ filter, sort: { field: SUBSCRIPTION_FIELDS.createdAt, direction: 'asc' }, limit: MAX_SUBSCRIPTIONS_PER_EVENT });
    return page.items;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { READ_STORE } from '@mreg/platform/read-store';
import type { Cursor, Page, ReadCollection, ReadStore } from '@mreg/platform/read-store';
import type { BoundField, BoundFilter } from '@mreg/shared/query';
import { WEBHOOK_COLLECTIONS } from './webhook-subscriptions.projection';

/** One attempt in the delivery log. */
export interface AttemptEntry {
  readonly number: number;
  readonly at: string;
  readonly latencyMs: number;
  readonly statusCode?: number;
  readonly error?: string;
  /** The start of the answer (at most 1,024 characters). */
  readonly responseExcerpt?: string;
  readonly address?: string;
}

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One message to one subscription and its attempts (bookkeeping beside the read models, not rebuilt from the log).
 * Every write is conditional on `seq`, the number of writes before it: of two processes writing one delivery, one
 * wins and the other learns it lost (the claim of an attempt).
 */
export interface WebhookDeliveryDoc {
  /** The `webhook-id`: the same on every attempt. */
  readonly id: string;
  readonly subscriptionId: string;
  /** The CloudEvent's id (the event's id in the log); absent for a ping. */
  readonly eventId?: string;
  readonly eventType: string;
  readonly createdAt: string;
  readonly status: DeliveryStatus;
  /** When the next attempt is due (pending), or was (a claimed attempt pushes it past its own end). */
  readonly nextAttemptAt: string;
  readonly attempts: number;
  /** First attempt of the current series (the delivery, or the latest manual redelivery) and its attempts so far. */
  readonly seriesStartedAt?: string;
  readonly seriesAttempts: number;
  readonly recentAttempts: readonly AttemptEntry[];
  /** Why it failed or was cancelled. */
  readonly reason?: string;
  readonly body: string;
  readonly seq: number;
}

/** When each subscription last had a delivery succeed: a failure since then is the target's, not a payload's. */
export interface WebhookTargetDoc {
  readonly id: string;
  readonly lastDeliveredAt: string;
  readonly seq: number;
}

export const RECENT_ATTEMPTS_KEPT = 20;
const SEQ = 'webhook-delivery';

const FIELDS = {
  status: { name: 'status', path: ['status'], type: 'string' },
  nextAttemptAt: { name: 'nextAttemptAt', path: ['nextAttemptAt'], type: 'timestamp' },
  subscriptionId: { name: 'subscriptionId', path: ['subscriptionId'], type: 'string' },
  createdAt: { name: 'createdAt', path: ['createdAt'], type: 'timestamp' },
} as const satisfies Record<string, BoundField>;

@Injectable()
export class WebhookDeliveries {
  private readonly deliveries: ReadCollection<WebhookDeliveryDoc>;
  private readonly targets: ReadCollection<WebhookTargetDoc>;

  constructor(@Inject(READ_STORE) private readonly store: ReadStore) {
    this.deliveries = store.collection<WebhookDeliveryDoc>(WEBHOOK_COLLECTIONS.deliveries);
    this.targets = store.collection<WebhookTargetDoc>(WEBHOOK_COLLECTIONS.targets);
  }

  /** The indexes due deliveries, delivery logs and the subscriptions an event concerns are found by. */
  async ensureIndexes(): Promise<void> {
    await this.store.ensureIndex?.(WEBHOOK_COLLECTIONS.subscriptions, [
      { path: ['scope'], type: 'string' },
      { path: ['status'], type: 'string' },
      { path: ['createdAt'], type: 'timestamp' },
    ]);
    await this.store.ensureIndex?.(WEBHOOK_COLLECTIONS.deliveries, [
      { path: FIELDS.status.path, type: 'string' },
      { path: FIELDS.nextAttemptAt.path, type: 'timestamp' },
    ]);
    await this.store.ensureIndex?.(WEBHOOK_COLLECTIONS.deliveries, [
      { path: FIELDS.subscriptionId.path, type: 'string' },
      { path: FIELDS.createdAt.path, type: 'timestamp', direction: 'desc' },
    ]);
  }

  /** Records a new delivery; false when it is there already (the same event delivered again by the bus). */
  enqueue(doc: Omit<WebhookDeliveryDoc, 'seq'>): Promise<boolean> {
    return this.deliveries.apply(doc.id, SEQ, 0, (current) => current ?? { ...doc, seq: 0 });
  }

  get(id: string): Promise<WebhookDeliveryDoc | undefined> {
    return this.deliveries.get(id);
  }

  /** The next write of `doc`, only if nobody wrote it since it was read: the written document, or undefined. */
  async update(doc: WebhookDeliveryDoc, change: (doc: WebhookDeliveryDoc) => Omit<WebhookDeliveryDoc, 'seq'>): Promise<WebhookDeliveryDoc | undefined> {
    let written: WebhookDeliveryDoc | undefined;
    const applied = await this.deliveries.apply(doc.id, SEQ, doc.seq + 1, (current) => {
      written = { ...change(current ?? doc), seq: doc.seq + 1 };
      return written;
    });
    return applied ? written : undefined;
  }

  /** Pending deliveries due at `now`, the longest waiting first. */
  async due(now: Date, limit: number): Promise<readonly WebhookDeliveryDoc[]> {
    const filter: BoundFilter = {
      kind: 'and',
      left: { kind: 'compare', field: FIELDS.status, op: '=', value: 'pending' },
      right: { kind: 'compare', field: FIELDS.nextAttemptAt, op: '<=', value: now.toISOString() },
    };
    return (await this.deliveries.find({ filter, sort: { field: FIELDS.nextAttemptAt, direction: 'asc' }, limit })).items;
  }

  /** The earliest pending delivery's due time, if any (when to look again). */
  async nextDue(): Promise<string | undefined> {
    const filter: BoundFilter = { kind: 'compare', field: FIELDS.status, op: '=', value: 'pending' };
    return (await this.deliveries.find({ filter, sort: { field: FIELDS.nextAttemptAt, direction: 'asc' }, limit: 1 })).items[0]?.nextAttemptAt;
  }

  /** A subscription's deliveries, the newest first. */
  list(subscriptionId: string, limit: number, after?: Cursor): Promise<Page<WebhookDeliveryDoc>> {
    const filter: BoundFilter = { kind: 'compare', field: FIELDS.subscriptionId, op: '=', value: subscriptionId };
    return this.deliveries.find({ filter, sort: { field: FIELDS.createdAt, direction: 'desc' }, limit, ...(after ? { after } : {}) });
  }

  async lastDeliveredAt(subscriptionId: string): Promise<string | undefined> {
    return (await this.targets.get(subscriptionId))?.lastDeliveredAt;
  }

  /** Notes a success (the later of two racing writers wins; a lost race is retried on what the winner wrote). */
  async delivered(subscriptionId: string, at: string): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.targets.get(subscriptionId);
      if (current !== undefined && current.lastDeliveredAt >= at) return;
      const seq = (current?.seq ?? -1) + 1;
      if (await this.targets.apply(subscriptionId, SEQ, seq, () => ({ id: subscriptionId, lastDeliveredAt: at, seq }))) return;
    }
  }
}

import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError, streams } from '@mreg/shared/contracts';
import type { Principal, WebhookEvent, WebhookSettings as WebhookTargetSettings } from '@mreg/shared/contracts';
import { webhookMessageId, webhookSubscriptionDecider, webhookUrlProblem } from '@mreg/governance/domain';
import type { WebhookCommand, WebhookSubscriptionState } from '@mreg/governance/domain';
import { READ_STORE } from '@mreg/platform/read-store';
import type { Cursor, ReadStore } from '@mreg/platform/read-store';
import { EventSourcedRepository } from '@mreg/platform/runtime';
import type { CommandContext } from '@mreg/platform/runtime';
import { ModelLookup } from '@mreg/registration/catalog';
import type { BoundFilter } from '@mreg/shared/query';
import { decodePageToken, encodePageToken, parsePageSize, queryFingerprint } from '@mreg/shared/query';
import { WebhookDeliveries } from './webhook-deliveries';
import type { WebhookDeliveryDoc } from './webhook-deliveries';
import { WebhookDispatcher } from './webhook-dispatcher';
import { SECRET_OVERLAP_MS, WebhookSecrets, WebhookSettings } from './webhook-settings';
import { REGISTRY_SCOPE, SUBSCRIPTION_FIELDS, WEBHOOK_COLLECTIONS } from './webhook-subscriptions.projection';
import type { WebhookSubscriptionDoc } from './webhook-subscriptions.projection';

export interface NewWebhook {
  readonly model?: string;
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly description?: string;
  readonly enabled?: boolean;
}

export interface WebhookChanges {
  readonly url?: string;
  readonly eventTypes?: readonly string[];
  readonly description?: string;
  readonly enabled?: boolean;
}

export interface PageRequest {
  readonly pageSize?: string;
  readonly pageToken?: string;
}

export interface PageOf<T> {
  readonly items: readonly T[];
  readonly nextPageToken: string | null;
}

const SUBSCRIPTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DELIVERY_ID = /^msg_[A-Za-z0-9_-]{1,64}$/;
const PING_TYPE = 'io.mreg.governance.WebhookPing.v1';

/**
 * Webhook subscriptions, one use case per method (decision 34): a registry-wide subscription is an admin's, a
 * model's is for those with the manage permission on it (ModelLookup.authorize); a subscription a caller may not
 * manage is answered as missing. Settings are events of the subscription's stream; deliveries are bookkeeping.
 */
@Injectable()
export class WebhookSubscriptions {
  constructor(
    private readonly repository: EventSourcedRepository,
    private readonly lookup: ModelLookup,
    @Inject(READ_STORE) private readonly store: ReadStore,
    private readonly deliveries: WebhookDeliveries,
    private readonly dispatcher: WebhookDispatcher,
    private readonly settings: WebhookSettings,
    private readonly secrets: WebhookSecrets,
  ) {}

  /** Creates a subscription; its id. Nothing is recorded for a refused URL. */
  async create(input: NewWebhook, ctx: CommandContext): Promise<string> {
    const scopeModelId = await this.scopeFor(input.model, ctx.principal);
    this.requireTarget(input.url);
    const subscriptionId = randomUUID();
    const settings: WebhookTargetSettings = { url: input.url, eventTypes: input.eventTypes, description: input.description ?? '' };
    await this.handle(subscriptionId, { type: 'CreateWebhook', data: { subscriptionId, ...(scopeModelId !== undefined ? { scopeModelId } : {}), settings, enabled: input.enabled ?? true } }, ctx);
    return subscriptionId;
  }

  async change(id: string, changes: WebhookChanges, ctx: CommandContext): Promise<void> {
    await this.authorized(id, ctx.principal);
    if (changes.url !== undefined) this.requireTarget(changes.url);
    const settings = {
      ...(changes.url !== undefined ? { url: changes.url } : {}),
      ...(changes.eventTypes !== undefined ? { eventTypes: changes.eventTypes } : {}),
      ...(changes.description !== undefined ? { description: changes.description } : {}),
    };
    await this.handle(id, { type: 'ChangeWebhook', data: { settings, ...(changes.enabled !== undefined ? { enabled: changes.enabled } : {}) } }, ctx);
  }

  /** A new secret; the previous one keeps signing beside it for a day. */
  async rotateSecret(id: string, ctx: CommandContext): Promise<void> {
    await this.authorized(id, ctx.principal);
    await this.handle(id, { type: 'RotateWebhookSecret', data: { now: new Date().toISOString(), overlapMs: SECRET_OVERLAP_MS } }, ctx);
  }

  async remove(id: string, ctx: CommandContext): Promise<void> {
    await this.authorized(id, ctx.principal);
    await this.handle(id, { type: 'DeleteWebhook', data: {} }, ctx);
  }

  /** The current signing secret (shown after a creation or a rotation). */
  async currentSecret(id: string): Promise<string> {
    const state = await this.state(id);
    return this.secrets.secretOf(id, state.secretGeneration);
  }

  /** The subscription as the read model has it, when the caller may manage it. */
  async get(id: string, principal: Principal): Promise<WebhookSubscriptionDoc> {
    await this.authorized(id, principal);
    return this.document(id);
  }

  async document(id: string): Promise<WebhookSubscriptionDoc> {
    const doc = await this.store.collection<WebhookSubscriptionDoc>(WEBHOOK_COLLECTIONS.subscriptions).get(id);
    if (doc === undefined || doc.status === 'deleted') throw notFound(id);
    return doc;
  }

  /** The registry-wide subscriptions (admins), or a model's (its managers), the oldest first. */
  async list(model: string | undefined, principal: Principal, page: PageRequest): Promise<PageOf<WebhookSubscriptionDoc>> {
    const scope = (await this.scopeFor(model, principal)) ?? REGISTRY_SCOPE;
    const filter: BoundFilter = { kind: 'and', left: { kind: 'compare', field: SUBSCRIPTION_FIELDS.scope, op: '=', value: scope }, right: { kind: 'compare', field: SUBSCRIPTION_FIELDS.status, op: '!=', value: 'deleted' } };
    const fingerprint = queryFingerprint(['webhooks', scope]);
    const { limit, after } = this.paging(page, fingerprint);
    const found = await this.store.collection<WebhookSubscriptionDoc>(WEBHOOK_COLLECTIONS.subscriptions).find({ filter, sort: { field: SUBSCRIPTION_FIELDS.createdAt, direction: 'asc' }, limit, ...(after ? { after } : {}) });
    return { items: found.items, nextPageToken: found.next ? encodePageToken(found.next, fingerprint) : null };
  }

  async deliveriesOf(id: string, principal: Principal, page: PageRequest): Promise<PageOf<WebhookDeliveryDoc>> {
    await this.authorized(id, principal);
    const fingerprint = queryFingerprint(['webhook-deliveries', id]);
    const { limit, after } = this.paging(page, fingerprint);
    const found = await this.deliveries.list(id, limit, after);
    return { items: found.items, nextPageToken: found.next ? encodePageToken(found.next, fingerprint) : null };
  }

  async delivery(id: string, deliveryId: string, principal: Principal): Promise<WebhookDeliveryDoc> {
    await this.authorized(id, principal);
    const doc = DELIVERY_ID.test(deliveryId) ? await this.deliveries.get(deliveryId) : undefined;
    if (doc === undefined || doc.subscriptionId !== id) throw new DomainError('NOT_FOUND', `delivery ${deliveryId.slice(0, 80)} of webhook ${id} not found`, { deliveryId: deliveryId.slice(0, 80) });
    return doc;
  }

  /** A test delivery (`io.mreg.governance.WebhookPing.v1`), sent and retried like any other. */
  async ping(id: string, ctx: CommandContext): Promise<WebhookDeliveryDoc> {
    const state = await this.authorized(id, ctx.principal);
    requireEnabled(state);
    const pingId = randomUUID();
    const now = new Date().toISOString();
    const body = JSON.stringify({
      specversion: '1.0',
      id: pingId,
      source: '/mreg/governance',
      type: PING_TYPE,
      subject: streams.webhook(id),
      time: now,
      actor: ctx.principal.user,
      datacontenttype: 'application/json',
      data: { subscriptionId: id },
    });
    const doc = { id: webhookMessageId(id, pingId), subscriptionId: id, eventType: PING_TYPE, createdAt: now, status: 'pending', nextAttemptAt: now, attempts: 0, seriesAttempts: 0, recentAttempts: [], body } as const;
    await this.deliveries.enqueue(doc);
    this.dispatcher.wake();
    return { ...doc, recentAttempts: [], seq: 0 };
  }

  /** Sends a delivery again, whatever came of it: a new series of attempts with the same webhook-id and body. */
  async redeliver(id: string, deliveryId: string, ctx: CommandContext): Promise<WebhookDeliveryDoc> {
    const doc = await this.delivery(id, deliveryId, ctx.principal);
    requireEnabled(await this.state(id));
    if (doc.status === 'pending') return doc;
    const now = new Date().toISOString();
    const { seriesStartedAt: _started, reason: _reason, ...rest } = doc;
    const queued = await this.deliveries.update(doc, () => ({ ...rest, status: 'pending', nextAttemptAt: now, seriesAttempts: 0 }));
    if (queued === undefined) throw new DomainError('CONFLICT', `delivery ${deliveryId} changed meanwhile; try again`);
    this.dispatcher.wake();
    return queued;
  }

  /** A subscription the caller may manage (its state from the log); others are answered as missing. */
  private async authorized(id: string, principal: Principal): Promise<WebhookSubscriptionState> {
    const state = await this.state(id);
    if (state.scopeModelId === undefined) {
      if (!isRegistryAdmin(principal)) throw notFound(id);
      return state;
    }
    try {
      await this.lookup.authorizeId(state.scopeModelId, principal, 'manage');
    } catch (error) {
      // A model the caller may not even read: its subscription is not there for them either.
      if (error instanceof DomainError && error.code === 'NOT_FOUND') throw notFound(id);
      throw error;
    }
    return state;
  }

  private async state(id: string): Promise<WebhookSubscriptionState> {
    if (!SUBSCRIPTION_ID.test(id)) throw notFound(id);
    const { state } = await this.repository.load(streams.webhook(id), webhookSubscriptionDecider);
    if (!state.exists || state.deleted) throw notFound(id);
    return state;
  }

  /** The model id of a per-model subscription (manage on it needed), undefined for a registry-wide one (admins). */
  private async scopeFor(model: string | undefined, principal: Principal): Promise<string | undefined> {
    if (model !== undefined) return (await this.lookup.authorize(model, principal, 'manage')).modelId;
    if (!isRegistryAdmin(principal)) throw new DomainError('PERMISSION_DENIED', 'registry-wide webhooks are for admins; name a model you manage', { role: 'admin' });
    return undefined;
  }

  private requireTarget(url: string): void {
    const problem = webhookUrlProblem(url, this.settings.targets);
    if (problem !== undefined) throw new DomainError('INVALID_ARGUMENT', problem, { field: 'url' });
  }

  private handle(id: string, command: WebhookCommand, ctx: CommandContext) {
    return this.repository.handle<WebhookCommand, WebhookEvent, WebhookSubscriptionState>(streams.webhook(id), webhookSubscriptionDecider, command, ctx);
  }

  private paging(page: PageRequest, fingerprint: string): { limit: number; after?: Cursor } {
    const limit = parsePageSize(page.pageSize, { default: 50, max: 1000 });
    const after = page.pageToken !== undefined && page.pageToken !== '' ? decodePageToken(page.pageToken, fingerprint) : undefined;
    return { limit, ...(after ? { after } : {}) };
  }
}

/** An admin of the whole registry: a credential limited to some models is not. */
function isRegistryAdmin(principal: Principal): boolean {
  return principal.roles.includes('admin') && principal.models === undefined;
}

function requireEnabled(state: WebhookSubscriptionState): void {
  if (!state.enabled) throw new DomainError('FAILED_PRECONDITION', `webhook ${state.subscriptionId} is disabled: enable it first (PATCH {"enabled": true})`, { subscriptionId: state.subscriptionId });
}

function notFound(id: string): DomainError {
  return new DomainError('NOT_FOUND', `webhook ${id.slice(0, 80)} not found`, { id: id.slice(0, 80) });
}

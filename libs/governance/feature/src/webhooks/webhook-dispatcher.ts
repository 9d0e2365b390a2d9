import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { streams } from '@mreg/shared/contracts';
import type { WebhookEvent } from '@mreg/shared/contracts';
import { attemptSucceeded, givingUpDisables, nextDeliveryStep, signingGenerations, webhookSubscriptionDecider } from '@mreg/governance/domain';
import type { WebhookCommand, WebhookSubscriptionState } from '@mreg/governance/domain';
import { EVENT_STORE } from '@mreg/platform/event-store';
import type { EventStore } from '@mreg/platform/event-store';
import { EventSourcedRepository, LeaderLease, MregConfig, SYSTEM_PRINCIPAL } from '@mreg/platform/runtime';
import { signWebhook } from '@mreg/shared/util';
import { RECENT_ATTEMPTS_KEPT, WebhookDeliveries } from './webhook-deliveries';
import type { AttemptEntry, WebhookDeliveryDoc } from './webhook-deliveries';
import { postWebhook } from './webhook-sender';
import { WebhookSecrets, WebhookSettings } from './webhook-settings';

/** How long past an attempt's own deadline a claim lasts: a process that died mid-attempt is retried after it. */
const CLAIM_MARGIN_MS = 5000;
const LEASE = 'webhook-dispatcher';

/**
 * Sends the deliveries that are due, on one replica at a time: the one holding the `webhook-dispatcher` lease beside
 * the log (decision 28's leases). Each attempt is first claimed by a conditional write of the delivery (its due time
 * moved past the attempt's end), so even a replica that lost the lease a moment ago cannot send the same attempt
 * again; pending retries are documents in the read store, so they survive restarts and move with the lease.
 */
@Injectable()
export class WebhookDispatcher {
  private readonly logger = new Logger('webhooks');
  private readonly lease?: LeaderLease;
  private readonly inFlight = new Set<string>();
  private running = false;
  private timer?: NodeJS.Timeout;
  private looking?: Promise<void>;
  private again = false;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    private readonly deliveries: WebhookDeliveries,
    private readonly repository: EventSourcedRepository,
    private readonly settings: WebhookSettings,
    private readonly secrets: WebhookSecrets,
    config: MregConfig,
  ) {
    // Where the log offers no lease (KurrentDB), every replica dispatches; the claims still keep each attempt to one.
    if (store.leases !== undefined) {
      this.lease = new LeaderLease(store.leases, LEASE, {
        ttlMs: config.relayLeaseMs,
        onGained: () => this.wake(),
        onLost: () => undefined,
        onError: (error) => this.logger.warn(`webhook dispatcher lease: ${String(error)}`),
      });
    }
  }

  async start(): Promise<void> {
    this.running = true;
    await this.lease?.start();
    this.wake();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.looking;
    await this.lease?.stop();
  }

  private get leading(): boolean {
    return this.lease === undefined || this.lease.held;
  }

  /** Looks for due deliveries now (a new delivery in this process, a redelivery, a retry's time). */
  wake(): void {
    if (!this.running) return;
    if (this.looking) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.looking = this.look()
      .catch((error: unknown) => this.logger.error(`webhook deliveries: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        this.looking = undefined;
        if (!this.running) return;
        if (this.again) {
          this.again = false;
          this.wake();
        } else {
          this.timer = setTimeout(() => this.wake(), this.settings.pollMs).unref();
        }
      });
  }

  private wakeAt(at: number): void {
    const delay = Math.max(0, at - Date.now());
    if (delay < this.settings.pollMs) setTimeout(() => this.wake(), delay).unref();
  }

  private async look(): Promise<void> {
    if (!this.leading) return;
    const room = this.settings.concurrency - this.inFlight.size;
    if (room <= 0) return;
    const due = (await this.deliveries.due(new Date(), room + this.inFlight.size)).filter((doc) => !this.inFlight.has(doc.id)).slice(0, room);
    for (const doc of due) {
      this.inFlight.add(doc.id);
      void this.attempt(doc)
        .catch((error: unknown) => this.logger.error(`webhook delivery ${doc.id}: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => {
          this.inFlight.delete(doc.id);
          this.wake();
        });
    }
  }

  /** One attempt of one delivery: claim, send, record, and what follows (the next try, giving up, disabling). */
  private async attempt(due: WebhookDeliveryDoc): Promise<void> {
    const claimedAt = new Date();
    const claimed = await this.deliveries.update(due, (doc) => ({ ...doc, nextAttemptAt: new Date(claimedAt.getTime() + this.settings.timeoutMs + CLAIM_MARGIN_MS).toISOString() }));
    if (claimed === undefined || !this.leading) return;
    const subscription = (await this.repository.load(streams.webhook(claimed.subscriptionId), webhookSubscriptionDecider)).state;
    if (!subscription.exists || subscription.deleted || !subscription.enabled) {
      await this.deliveries.update(claimed, (doc) => ({ ...doc, status: 'cancelled', reason: subscription.enabled ? 'the subscription was deleted' : 'the subscription is disabled' }));
      return;
    }
    const sentAt = new Date();
    const secrets = signingGenerations(subscription, sentAt).map((generation) => this.secrets.secretOf(subscription.subscriptionId, generation));
    const headers = { ...signWebhook(claimed.id, sentAt.getTime() / 1000, claimed.body, secrets), 'content-type': 'application/cloudevents+json; charset=utf-8' };
    const report = await postWebhook(subscription.url, claimed.body, headers, this.settings.targets, this.settings.timeoutMs);
    const number = claimed.attempts + 1;
    const entry: AttemptEntry = {
      number,
      at: sentAt.toISOString(),
      latencyMs: report.latencyMs,
      ...('status' in report.outcome ? { statusCode: report.outcome.status } : { error: report.outcome.error }),
      ...(report.responseExcerpt !== undefined ? { responseExcerpt: report.responseExcerpt } : {}),
      ...(report.address !== undefined ? { address: report.address } : {}),
    };
    const seriesStartedAt = claimed.seriesStartedAt ?? entry.at;
    const now = Date.now();
    const step = nextDeliveryStep(report.outcome, claimed.seriesAttempts + 1, Date.parse(seriesStartedAt), now, this.settings.schedule, Math.random());
    const recorded = await this.deliveries.update(claimed, (doc) => ({
      ...doc,
      attempts: number,
      seriesStartedAt,
      seriesAttempts: claimed.seriesAttempts + 1,
      recentAttempts: [...doc.recentAttempts, entry].slice(-RECENT_ATTEMPTS_KEPT),
      status: step.kind === 'delivered' ? 'delivered' : step.kind === 'retry' ? 'pending' : 'failed',
      nextAttemptAt: step.kind === 'retry' ? new Date(step.at).toISOString() : doc.nextAttemptAt,
      ...(step.kind === 'given-up' ? { reason: `no success in ${claimed.seriesAttempts + 1} attempts` } : {}),
    }));
    if (recorded === undefined) return;
    if (attemptSucceeded(report.outcome)) await this.deliveries.delivered(subscription.subscriptionId, entry.at);
    if (step.kind === 'retry') this.wakeAt(step.at);
    if (step.kind === 'given-up') await this.giveUp(subscription, recorded, seriesStartedAt);
  }

  /** A delivery failed for good: the subscription is disabled when nothing reached it since this one first failed. */
  private async giveUp(subscription: WebhookSubscriptionState, delivery: WebhookDeliveryDoc, failingSince: string): Promise<void> {
    if (!givingUpDisables(await this.deliveries.lastDeliveredAt(subscription.subscriptionId), failingSince)) return;
    const detail = `delivery ${delivery.id} failed ${delivery.seriesAttempts} attempts since ${failingSince} with no successful delivery since`;
    await this.repository.handle<WebhookCommand, WebhookEvent, WebhookSubscriptionState>(
      streams.webhook(subscription.subscriptionId),
      webhookSubscriptionDecider,
      { type: 'DisableFailingWebhook', data: { detail } },
      { principal: SYSTEM_PRINCIPAL, correlationId: randomUUID(), causationId: delivery.eventId ?? delivery.id },
    );
    this.logger.warn(`webhook subscription ${subscription.subscriptionId} disabled: ${detail}`);
  }
}

import { createHash } from 'node:crypto';

// Deliveries of webhook subscriptions: which events a subscription gets, when a failed attempt is tried again, when
// the registry gives up on a delivery, and when on the subscription. Pure: the clock and the dice come in.

/** How failed deliveries are retried: exponential backoff with jitter, bounded in attempts and in time. */
export interface RetrySchedule {
  /** The first retry's delay before jitter (MREG_WEBHOOK_RETRY_BASE_MS); each next one doubles it. */
  readonly baseMs: number;
  /** No delay grows beyond this (MREG_WEBHOOK_RETRY_MAX_DELAY_MS). */
  readonly maxDelayMs: number;
  /** Attempts of one delivery before it is given up (MREG_WEBHOOK_MAX_ATTEMPTS), the first included. */
  readonly maxAttempts: number;
  /** No retry is scheduled later than this after the first attempt. */
  readonly windowMs: number;
}

/** Defaults: 5 s doubling to at most 6 h, 16 attempts, within a day (about 12 to 24 hours with the jitter). */
export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { baseMs: 5_000, maxDelayMs: 6 * 3_600_000, maxAttempts: 16, windowMs: 24 * 3_600_000 };

/**
 * The delay before retry `retry` (1 for the retry after the first attempt): base × 2^(retry−1), at most maxDelayMs,
 * then "equal jitter" — half of it fixed, half of it random — so that receivers coming back from an outage are not
 * hit by every registry replica's retries at once, and no delay collapses to zero.
 */
export function retryDelayMs(retry: number, schedule: Pick<RetrySchedule, 'baseMs' | 'maxDelayMs'>, random: number): number {
  const exponential = Math.min(schedule.maxDelayMs, schedule.baseMs * 2 ** Math.min(Math.max(retry - 1, 0), 40));
  return Math.round(exponential / 2 + (exponential / 2) * Math.min(Math.max(random, 0), 1));
}

/** What one HTTP attempt came to: a status (any, 2xx is success; redirects are not followed) or no answer. */
export type AttemptOutcome = { readonly status: number } | { readonly error: string };

export function attemptSucceeded(outcome: AttemptOutcome): boolean {
  return 'status' in outcome && outcome.status >= 200 && outcome.status < 300;
}

/** After an attempt: done, another attempt at `at` (epoch ms), or given up. */
export type DeliveryStep = { readonly kind: 'delivered' } | { readonly kind: 'retry'; readonly at: number } | { readonly kind: 'given-up' };

/**
 * The step after attempt number `attempts` of a series (a delivery, or a manual redelivery) that started at
 * `startedAt`: delivered on a 2xx; else retried after the backoff unless the attempts are used up or the retry would
 * fall outside the window.
 */
export function nextDeliveryStep(outcome: AttemptOutcome, attempts: number, startedAt: number, now: number, schedule: RetrySchedule, random: number): DeliveryStep {
  if (attemptSucceeded(outcome)) return { kind: 'delivered' };
  if (attempts >= schedule.maxAttempts) return { kind: 'given-up' };
  const at = now + retryDelayMs(attempts, schedule, random);
  return at - startedAt > schedule.windowMs ? { kind: 'given-up' } : { kind: 'retry', at };
}

/**
 * Whether a delivery given up disables its subscription: only when nothing was delivered to it since the delivery
 * first failed — the target is down, not refusing one payload while taking the others.
 */
export function givingUpDisables(lastDeliveredAt: string | undefined, failingSince: string): boolean {
  return lastDeliveredAt === undefined || Date.parse(lastDeliveredAt) < Date.parse(failingSince);
}

/** What a subscription matches an event by. */
export interface WebhookInterest {
  readonly enabled: boolean;
  readonly eventTypes: readonly string[];
  /** Absent: registry-wide. */
  readonly scopeModelId?: string;
}

/**
 * The model an event concerns: its data's `modelId` (every event of a model's streams carries it), or, for the
 * webhook events, the model of the subscription; undefined for the rest (tracking, the artifact tree).
 */
export function modelOfEvent(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const record = data as Record<string, unknown>;
  const modelId = record['modelId'] ?? record['scopeModelId'];
  return typeof modelId === 'string' ? modelId : undefined;
}

/** Whether a subscription gets an event: enabled, of a type it names, and of its model when it has one. */
export function wantsEvent(subscription: WebhookInterest, ceType: string, modelId: string | undefined): boolean {
  if (!subscription.enabled || !subscription.eventTypes.includes(ceType)) return false;
  return subscription.scopeModelId === undefined || subscription.scopeModelId === modelId;
}

/**
 * The `webhook-id` of the delivery of one event to one subscription: the same on every attempt and every replica
 * (a redelivered bus message finds its delivery), so that receivers deduplicate by it.
 */
export function webhookMessageId(subscriptionId: string, eventId: string): string {
  return `msg_${createHash('sha256').update(`${subscriptionId}\u0000${eventId}`).digest('base64url').slice(0, 32)}`;
}

import { DEFAULT_RETRY_SCHEDULE, givingUpDisables, modelOfEvent, nextDeliveryStep, retryDelayMs, wantsEvent, webhookMessageId } from './webhook-delivery';
import type { RetrySchedule } from './webhook-delivery';

describe('webhook retries', () => {
  it('double from the base up to the cap, half of each delay fixed and half random', () => {
    const schedule = { baseMs: 1000, maxDelayMs: 10_000 };
    expect([1, 2, 3, 4, 5, 6].map((retry) => retryDelayMs(retry, schedule, 1))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect([1, 2, 3, 4, 5, 6].map((retry) => retryDelayMs(retry, schedule, 0))).toEqual([500, 1000, 2000, 4000, 5000, 5000]);
    expect(retryDelayMs(3, schedule, 0.5)).toBe(3000);
  });

  it('by default span about a day: at most 24 hours, at least 11', () => {
    const total = (random: number) => Array.from({ length: DEFAULT_RETRY_SCHEDULE.maxAttempts - 1 }, (_, i) => retryDelayMs(i + 1, DEFAULT_RETRY_SCHEDULE, random)).reduce((a, b) => a + b, 0);
    expect(total(1)).toBeLessThanOrEqual(24 * 3_600_000 * 1.01);
    expect(total(0)).toBeGreaterThan(11 * 3_600_000);
  });

  const schedule: RetrySchedule = { baseMs: 100, maxDelayMs: 1000, maxAttempts: 4, windowMs: 60_000 };
  it('deliver on any 2xx and retry anything else: other statuses, redirects, no answer', () => {
    expect(nextDeliveryStep({ status: 204 }, 1, 0, 0, schedule, 0.5)).toEqual({ kind: 'delivered' });
    expect(nextDeliveryStep({ status: 500 }, 1, 0, 10, schedule, 1)).toEqual({ kind: 'retry', at: 110 });
    expect(nextDeliveryStep({ status: 302 }, 2, 0, 10, schedule, 1)).toEqual({ kind: 'retry', at: 210 });
    expect(nextDeliveryStep({ error: 'connection refused' }, 3, 0, 10, schedule, 1)).toEqual({ kind: 'retry', at: 410 });
  });

  it('give up after the last attempt, or when the next would fall outside the window', () => {
    expect(nextDeliveryStep({ status: 500 }, 4, 0, 10, schedule, 1)).toEqual({ kind: 'given-up' });
    expect(nextDeliveryStep({ status: 500 }, 1, 0, 59_950, schedule, 1)).toEqual({ kind: 'given-up' });
  });

  it('disable a subscription only when nothing reached it since the given-up delivery first failed', () => {
    expect(givingUpDisables(undefined, '2026-01-01T00:00:00Z')).toBe(true);
    expect(givingUpDisables('2025-12-31T00:00:00Z', '2026-01-01T00:00:00Z')).toBe(true);
    expect(givingUpDisables('2026-01-01T01:00:00Z', '2026-01-01T00:00:00Z')).toBe(false);
  });
});

describe('which events a subscription gets', () => {
  const TYPE = 'io.mreg.registration.ModelVersionCreated.v1';
  it('of its types; a registry-wide one of every model, a model one of its model only', () => {
    expect(wantsEvent({ enabled: true, eventTypes: [TYPE] }, TYPE, 'm1')).toBe(true);
    expect(wantsEvent({ enabled: true, eventTypes: [TYPE] }, TYPE, undefined)).toBe(true);
    expect(wantsEvent({ enabled: true, eventTypes: [TYPE], scopeModelId: 'm1' }, TYPE, 'm1')).toBe(true);
    expect(wantsEvent({ enabled: true, eventTypes: [TYPE], scopeModelId: 'm1' }, TYPE, 'm2')).toBe(false);
    expect(wantsEvent({ enabled: true, eventTypes: [TYPE], scopeModelId: 'm1' }, TYPE, undefined)).toBe(false);
    expect(wantsEvent({ enabled: true, eventTypes: ['io.mreg.registration.ModelRegistered.v1'] }, TYPE, 'm1')).toBe(false);
    expect(wantsEvent({ enabled: false, eventTypes: [TYPE] }, TYPE, 'm1')).toBe(false);
  });

  it("know an event's model by its modelId, a webhook event's by the subscription's model", () => {
    expect(modelOfEvent({ modelId: 'm1', version: 2 })).toBe('m1');
    expect(modelOfEvent({ subscriptionId: 's', scopeModelId: 'm1' })).toBe('m1');
    expect(modelOfEvent({ runId: 'r' })).toBeUndefined();
  });

  it('name a delivery the same whenever the same event reaches the same subscription', () => {
    expect(webhookMessageId('s1', 'e1')).toBe(webhookMessageId('s1', 'e1'));
    expect(webhookMessageId('s1', 'e1')).not.toBe(webhookMessageId('s2', 'e1'));
    expect(webhookMessageId('s1', 'e1')).toMatch(/^msg_[A-Za-z0-9_-]{32}$/);
  });
});

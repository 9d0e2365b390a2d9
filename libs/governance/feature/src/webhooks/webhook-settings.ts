import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BlockList } from 'node:net';
import { Injectable, Logger } from '@nestjs/common';
import type { RetrySchedule, WebhookTargetPolicy } from '@mreg/governance/domain';
import { DEFAULT_RETRY_SCHEDULE } from '@mreg/governance/domain';
import { MregConfig } from '@mreg/platform/runtime';
import { WEBHOOK_SECRET_PREFIX, parseCidrList } from '@mreg/shared/util';

/** How long the previous secret keeps signing after a rotation: a day for receivers to take the new one. */
export const SECRET_OVERLAP_MS = 24 * 3_600_000;
/** The largest payload a delivery carries (an event is at most a request body, 1 MiB by default, plus its envelope). */
export const MAX_DELIVERY_BODY_BYTES = 2 * 1024 * 1024;
/** What is read of a receiver's answer; the rest is not waited for. */
export const MAX_RESPONSE_BYTES = 64 * 1024;
/** What the delivery log keeps of a receiver's answer. */
export const RESPONSE_EXCERPT_CHARS = 1024;

/** The webhook settings of MregConfig, read once: who may be reached, how deliveries are retried and bounded. */
@Injectable()
export class WebhookSettings {
  readonly targets: WebhookTargetPolicy;
  readonly schedule: RetrySchedule;
  readonly timeoutMs: number;
  readonly pollMs: number;
  /** Attempts running at once on the delivering replica. */
  readonly concurrency = 8;

  constructor(config: MregConfig) {
    const allowed = config.webhookAllowedRanges === undefined ? new BlockList() : parseCidrList(config.webhookAllowedRanges);
    if (typeof allowed === 'string') throw new Error(`MREG_WEBHOOK_ALLOWED_RANGES: ${allowed}`);
    this.targets = { allowLoopback: config.webhookAllowHttpLoopback === 'true', allowed };
    this.schedule = { ...DEFAULT_RETRY_SCHEDULE, baseMs: config.webhookRetryBaseMs, maxDelayMs: config.webhookRetryMaxDelayMs, maxAttempts: config.webhookMaxAttempts };
    this.timeoutMs = config.webhookTimeoutMs;
    this.pollMs = config.webhookPollMs;
  }
}

/**
 * The signing secrets of subscriptions, derived rather than stored (decision 34): HMAC-SHA256 of the subscription id
 * and the secret's generation under the server's webhook key. The log, the bus and the read models hold only the
 * generation; a leaked backup or topic reveals no secret, and a rotation is one number more.
 */
@Injectable()
export class WebhookSecrets {
  private readonly key: Buffer;

  constructor(config: MregConfig) {
    this.key = Buffer.from(config.webhookSigningKey ?? generatedKey(config), 'utf8');
  }

  /** The `whsec_…` secret of a generation of a subscription's secret. */
  secretOf(subscriptionId: string, generation: number): string {
    const bytes = createHmac('sha256', this.key).update(`mreg-webhook-secret\u0000${subscriptionId}\u0000${generation}`).digest();
    return `${WEBHOOK_SECRET_PREFIX}${bytes.toString('base64')}`;
  }
}

/** One process's key, kept in the data dir (mode 0600) so a restart signs with the same secrets. */
function generatedKey(config: MregConfig): string {
  mkdirSync(config.dataDir, { recursive: true });
  const file = join(config.dataDir, 'webhook-signing-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  if (config.eventBus === 'kafka') {
    new Logger('webhooks').warn('MREG_WEBHOOK_SIGNING_KEY is not set: a key was generated for this process alone; replicas must share one, or their webhook signatures disagree');
  }
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

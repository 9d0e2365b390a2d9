import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures by the Standard Webhooks scheme (standardwebhooks.com): the receiver checks
 * `webhook-signature` — `v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">`, space-separated,
 * one per secret in use — so a secret can be rotated with the old and the new one valid at once. A secret is
 * `whsec_` and base64 of its key bytes; the key is the decoded bytes.
 */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

export interface WebhookSignatureHeaders {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
}

/** The key bytes of a `whsec_…` secret; throws for anything else (a secret is never guessed at). */
export function webhookSecretKey(secret: string): Buffer {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) throw new Error(`a webhook secret starts with ${WEBHOOK_SECRET_PREFIX}`);
  const encoded = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) throw new Error('a webhook secret is whsec_ and base64');
  const key = Buffer.from(encoded, 'base64');
  if (key.length < 24 || key.length > 64) throw new Error('a webhook secret holds 24 to 64 bytes');
  return key;
}

function signature(key: Buffer, id: string, timestamp: string, body: Buffer | string): string {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
}

/** The headers of one delivery attempt: the message id stays the same on every retry, the timestamp is now's. */
export function signWebhook(id: string, timestampSeconds: number, body: Buffer | string, secrets: readonly string[]): WebhookSignatureHeaders {
  if (secrets.length === 0) throw new Error('a webhook is signed with at least one secret');
  const timestamp = String(Math.floor(timestampSeconds));
  return {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': secrets.map((secret) => `v1,${signature(webhookSecretKey(secret), id, timestamp, body)}`).join(' '),
  };
}

/**
 * What a receiver does: true when one of the `v1` signatures was made with `secret` over this id, timestamp and
 * body, and the timestamp is within `toleranceSeconds` of `nowSeconds` (a replayed old delivery fails).
 */
export function verifyWebhook(headers: WebhookSignatureHeaders, body: Buffer | string, secret: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  const timestamp = Number(headers['webhook-timestamp']);
  if (!/^\d{1,12}$/.test(headers['webhook-timestamp']) || Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signature(webhookSecretKey(secret), headers['webhook-id'], headers['webhook-timestamp'], body));
  return headers['webhook-signature'].split(' ').some((candidate) => {
    const [version, value] = candidate.split(',', 2);
    if (version !== 'v1' || value === undefined) return false;
    const given = Buffer.from(value);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

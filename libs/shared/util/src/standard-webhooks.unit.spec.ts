import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhook, webhookSecretKey } from './standard-webhooks';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NEXT = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

describe('Standard Webhooks signatures', () => {
  it('signs "<id>.<timestamp>.<body>" with the secret\'s key bytes, as the scheme\'s reference does', () => {
    const body = '{"test": 2432232314}';
    const headers = signWebhook('msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body, [SECRET]);

    // The Standard Webhooks specification's own example: this secret, id, timestamp and body give this signature.
    expect(headers).toEqual({
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it('carries one signature per secret while a secret is rotated, and each secret verifies alone', () => {
    const headers = signWebhook('msg_1', 1700000000, 'body', [SECRET, NEXT]);

    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verifyWebhook(headers, 'body', SECRET, 1700000000)).toBe(true);
    expect(verifyWebhook(headers, 'body', NEXT, 1700000000)).toBe(true);
  });

  it('fails for another body, id or secret, a stale or future timestamp, or a signature of another version', () => {
    const headers = signWebhook('msg_1', 1700000000, 'body', [SECRET]);
    const key = webhookSecretKey(SECRET);
    const v2 = `v2,${createHmac('sha256', key).update('msg_1.1700000000.body').digest('base64')}`;

    expect(verifyWebhook(headers, 'body!', SECRET, 1700000000)).toBe(false);
    expect(verifyWebhook({ ...headers, 'webhook-id': 'msg_2' }, 'body', SECRET, 1700000000)).toBe(false);
    expect(verifyWebhook(headers, 'body', NEXT, 1700000000)).toBe(false);
    expect(verifyWebhook(headers, 'body', SECRET, 1700000000 + 301)).toBe(false);
    expect(verifyWebhook(headers, 'body', SECRET, 1700000000 - 301)).toBe(false);
    expect(verifyWebhook({ ...headers, 'webhook-signature': v2 }, 'body', SECRET, 1700000000)).toBe(false);
  });

  it.each(['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'whsec_', 'whsec_not base64!', `whsec_${Buffer.alloc(8).toString('base64')}`])('refuses the secret %j', (secret) => {
    expect(() => webhookSecretKey(secret)).toThrow();
  });
});

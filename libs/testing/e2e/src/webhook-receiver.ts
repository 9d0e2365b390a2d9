import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a receiver got. */
export interface ReceivedWebhook {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The status it was answered with. */
  readonly status: number;
}

/**
 * A real HTTP receiver on 127.0.0.1 (a registry allowed to call the loopback reaches it): each path answers with the
 * statuses its script lists, one per request, the last one from then on (`/flaky` → [500, 500, 500, 200]).
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private readonly scripts = new Map<string, number[]>();
  private server?: Server;

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    await receiver.listen();
    return receiver;
  }

  private listen(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const path = req.url ?? '/';
        const script = this.scripts.get(path) ?? [200];
        const status = script.length > 1 ? (script.shift() as number) : script[0];
        this.received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'thanks' : `not now (${status})`);
      });
    });
    return new Promise((resolve) => this.server?.listen(0, '127.0.0.1', () => resolve()));
  }

  /** The URL of a path, answering with `statuses` in turn (the last one for every further request). */
  url(path: string, statuses: readonly number[] = [200]): string {
    this.scripts.set(path, [...statuses]);
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}${path}`;
  }

  requestsTo(path: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.path === path);
  }

  /** Waits (bounded) until `path` got `count` requests. */
  async waitFor(path: string, count: number, timeoutMs = 30_000): Promise<ReceivedWebhook[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.requestsTo(path).length < count) {
      if (Date.now() > deadline) throw new Error(`${path} got ${this.requestsTo(path).length} of ${count} requests within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return this.requestsTo(path);
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** What registries that deliver to a {@link WebhookReceiver} in tests set: the loopback allowed, retries fast. */
export const WEBHOOK_TEST_ENV: Readonly<Record<string, string>> = {
  MREG_WEBHOOK_ALLOW_HTTP_LOOPBACK: 'true',
  MREG_WEBHOOK_RETRY_BASE_MS: '20',
  MREG_WEBHOOK_RETRY_MAX_DELAY_MS: '100',
  MREG_WEBHOOK_MAX_ATTEMPTS: '5',
  MREG_WEBHOOK_POLL_MS: '100',
  MREG_WEBHOOK_SIGNING_KEY: 'test-webhook-signing-key-0123456789abcdef',
};

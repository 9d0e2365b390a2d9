import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Target } from './registry-client';

/** A reply read as bytes: what binary downloads and hand-made requests need. */
export interface RawReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly bytes: Buffer;
  readonly text: string;
  /** Parsed JSON when the reply is JSON, else the text. */
  readonly body: unknown;
}

export interface RawOptions {
  readonly user?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A buffer or string is sent with Content-Length; an async iterable is streamed chunked. */
  readonly body?: Buffer | string | AsyncIterable<Buffer>;
}

/**
 * One HTTP request with the path sent exactly as given: no URL normalisation (fetch resolves `..`, `%2e%2e`
 * and backslashes before sending, which would hide what the server does with them). Topology-agnostic:
 * only the target's base URL and tokens are used.
 */
export function rawRequest(target: Target, method: string, rawPath: string, options: RawOptions = {}): Promise<RawReply> {
  const base = new URL(target.url);
  const headers: OutgoingHttpHeaders = { ...(options.headers ?? {}) };
  if (options.user !== undefined) {
    const token = target.tokens[options.user];
    if (token === undefined) throw new Error(`no token for ${options.user}`);
    headers['authorization'] = `Bearer ${token}`;
  }
  const body = options.body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) headers['content-length'] = String(Buffer.byteLength(body));
  const send = base.protocol === 'https:' ? httpsRequest : httpRequest;
  const basePath = base.pathname.replace(/\/$/, '');
  return new Promise<RawReply>((resolve, reject) => {
    const req = send({ protocol: base.protocol, hostname: base.hostname, port: base.port, method, path: `${basePath}${rawPath}`, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const text = bytes.toString('utf8');
        let parsed: unknown = text;
        if ((res.headers['content-type'] ?? '').includes('json') && text.length > 0) parsed = JSON.parse(text);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes, text, body: parsed });
      });
    });
    req.on('error', reject);
    if (body === undefined) {
      req.end();
    } else if (typeof body === 'string' || Buffer.isBuffer(body)) {
      req.end(body);
    } else {
      void (async () => {
        try {
          for await (const chunk of body) {
            if (!req.write(chunk)) await new Promise<void>((done) => req.once('drain', () => done()));
          }
          req.end();
        } catch (error) {
          req.destroy(error instanceof Error ? error : new Error(String(error)));
        }
      })();
    }
  });
}

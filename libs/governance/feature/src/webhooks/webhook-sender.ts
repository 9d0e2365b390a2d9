import { lookup } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import type { IncomingMessage, RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { LookupFunction } from 'node:net';
import { canonicalAddress } from '@mreg/shared/util';
import { refusedAddress, webhookUrlProblem } from '@mreg/governance/domain';
import type { AttemptOutcome, WebhookTargetPolicy } from '@mreg/governance/domain';
import { MAX_RESPONSE_BYTES, RESPONSE_EXCERPT_CHARS } from './webhook-settings';

/** One attempt as the delivery log keeps it. */
export interface AttemptReport {
  readonly outcome: AttemptOutcome;
  readonly latencyMs: number;
  /** The address connected to (the one checked). */
  readonly address?: string;
  readonly responseExcerpt?: string;
}

class Refused extends Error {}

/**
 * POSTs one delivery. The URL is judged again (settings may have changed since it was stored), the host is resolved
 * once and every address it resolves to judged, and the connection goes to the address that was checked — the
 * socket's lookup answers with it — so a name cannot resolve to a public address for the check and to a private one
 * for the connection (DNS rebinding). TLS still verifies the certificate against the host name. Redirects are not
 * followed (a 3xx is a failed attempt); the whole attempt is bounded by `timeoutMs`, the answer read is capped.
 */
export async function postWebhook(url: string, body: string, headers: Readonly<Record<string, string>>, targets: WebhookTargetPolicy, timeoutMs: number): Promise<AttemptReport> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const deadline = AbortSignal.timeout(timeoutMs);
  let address: string | undefined;
  try {
    const problem = webhookUrlProblem(url, targets);
    if (problem !== undefined) throw new Refused(problem);
    const target = new URL(url);
    const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
    address = await resolveChecked(host, targets, deadline);
    const answer = await send(target, host, address, body, headers, deadline);
    return { outcome: { status: answer.status }, latencyMs: elapsed(), address, ...(answer.excerpt !== '' ? { responseExcerpt: answer.excerpt } : {}) };
  } catch (error) {
    const reason = deadline.aborted ? `no answer within ${timeoutMs} ms` : error instanceof Error ? error.message : String(error);
    return { outcome: { error: reason.slice(0, 500) }, latencyMs: elapsed(), ...(address !== undefined ? { address } : {}) };
  }
}

/** The address to connect to: the literal itself, or the first a name resolves to, once every one of them passed. */
export async function resolveChecked(host: string, targets: WebhookTargetPolicy, deadline: AbortSignal = AbortSignal.timeout(10_000)): Promise<string> {
  const literal = isIP(host) !== 0 ? host : undefined;
  const addresses = literal !== undefined ? [literal] : await withDeadline(lookup(host, { all: true, verbatim: true }), deadline).then((found) => found.map((a) => a.address));
  if (addresses.length === 0) throw new Refused(`${host} resolves to no address`);
  for (const candidate of addresses) {
    const refused = refusedAddress(candidate, targets);
    if (refused !== undefined) throw new Refused(literal !== undefined ? refused : `${host} resolves to ${refused}`);
  }
  return canonicalAddress(addresses[0] ?? '') ?? addresses[0];
}

function withDeadline<T>(work: Promise<T>, deadline: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(new Error('deadline'));
    if (deadline.aborted) return abort();
    deadline.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => deadline.removeEventListener('abort', abort));
  });
}

/** A lookup that answers with the checked address only, whatever the name would resolve to now. */
function pinnedLookup(address: string): LookupFunction {
  const family = isIP(address);
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as LookupFunction;
}

function send(target: URL, host: string, address: string, body: string, headers: Readonly<Record<string, string>>, deadline: AbortSignal): Promise<{ status: number; excerpt: string }> {
  const https = target.protocol === 'https:';
  const payload = Buffer.from(body, 'utf8');
  const options: RequestOptions & { servername?: string } = {
    method: 'POST',
    host,
    port: target.port === '' ? (https ? 443 : 80) : Number(target.port),
    path: `${target.pathname}${target.search}`,
    headers: { ...headers, host: target.host, 'content-length': String(payload.length), 'user-agent': 'mreg-webhooks/1' },
    // A fresh connection per attempt: a pooled one may lead to an address checked for another name.
    agent: false,
    lookup: pinnedLookup(address),
    signal: deadline,
    ...(https && isIP(host) === 0 ? { servername: host } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(options, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let read = 0;
      const finish = () => resolve({ status: res.statusCode ?? 0, excerpt: Buffer.concat(chunks).toString('utf8').slice(0, RESPONSE_EXCERPT_CHARS) });
      res.on('data', (chunk: Buffer) => {
        if (read < RESPONSE_EXCERPT_CHARS * 4) chunks.push(chunk);
        read += chunk.length;
        // Enough has been read for the log: the rest of a large answer is not waited for.
        if (read > MAX_RESPONSE_BYTES) {
          res.destroy();
          finish();
        }
      });
      res.on('end', finish);
      res.on('error', reject);
      res.on('close', finish);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

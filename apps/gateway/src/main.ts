import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundException } from '@nestjs/common';
import { ApiError, HTTP_METHODS, answerMalformedRequestsWithJson, consoleAssets, errorResponse, securityHeadersFor } from '@mreg/platform/runtime';
import { Replicas } from './replicas';
import { routeOf } from './routes';
import type { Service } from './routes';

// A thin reverse proxy: one URL for clients, requests streamed to the service that owns the route.
// Read-your-writes holds across services because every write answers only after the read models (shared by
// all services) reached it, and forwards X-Mreg-Consistency for reads that want to wait explicitly.

// Each service's replicas, comma-separated in its variable (decision 28).
const upstreams: Record<Service, Replicas> = {
  registration: Replicas.parse('MREG_REGISTRATION_URL', process.env['MREG_REGISTRATION_URL'] ?? 'http://127.0.0.1:8081'),
  governance: Replicas.parse('MREG_GOVERNANCE_URL', process.env['MREG_GOVERNANCE_URL'] ?? 'http://127.0.0.1:8082'),
  artifact: Replicas.parse('MREG_ARTIFACT_URL', process.env['MREG_ARTIFACT_URL'] ?? 'http://127.0.0.1:8083'),
  audit: Replicas.parse('MREG_AUDIT_URL', process.env['MREG_AUDIT_URL'] ?? 'http://127.0.0.1:8084'),
};

// The web console (apps/console/dist) at `/`, as the all-in-one server serves it: the gateway is the one URL.
const consoleFiles = consoleAssets(join(__dirname, '..', '..', 'console', 'dist'));

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

/** The gateway's own errors, in the envelope of the API the path belongs to (mreg's or MLflow's). */
function sendError(res: ServerResponse, path: string, error: unknown): void {
  const { status, body } = errorResponse(path, error);
  sendJson(res, status, body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function openapi(): string | undefined {
  const file = join(__dirname, '..', '..', '..', 'docs', 'api', 'openapi.json');
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

async function replicaReady(url: URL): Promise<boolean> {
  try {
    return (await fetch(new URL('/ready', url), { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/** Which replicas do not answer their readiness probe within 2 s, and the services none of whose replicas do. */
async function ready(): Promise<{ down: Service[]; replicasDown: string[] }> {
  const services = Object.keys(upstreams) as Service[];
  const probes = await Promise.all(services.map(async (service) => ({ service, urls: upstreams[service].urls, ready: await Promise.all(upstreams[service].urls.map(replicaReady)) })));
  return {
    down: probes.filter((p) => !p.ready.some(Boolean)).map((p) => p.service),
    replicasDown: probes.flatMap((p) => p.urls.filter((_, i) => !p.ready[i]).map((url) => `${p.service} ${url.origin}`)),
  };
}

const SAFE_TO_REPEAT = new Set(['GET', 'HEAD']);

/**
 * Streams the request to one replica of `service`, trying the next when a replica cannot be reached: before any
 * of the body went out, or for a GET/HEAD before an answer came (repeating those changes nothing).
 */
function proxy(req: IncomingMessage, res: ServerResponse, service: Service, replicas: readonly URL[] = upstreams[service].order()): void {
  const [upstream, ...others] = replicas;
  if (upstream === undefined) return;
  // The raw request target goes through untouched: a URL parser would resolve "a/../x" before the service
  // could refuse it.
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
  if (req.headers['transfer-encoding']) headers['transfer-encoding'] = 'chunked';
  headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
  // The services compare a write's Origin with the host the client addressed (cross-site request forgery).
  if (req.headers.host !== undefined) headers['x-forwarded-host'] = req.headers.host;
  let sent = false;
  const forward = httpRequest({ hostname: upstream.hostname, port: upstream.port, path: req.url ?? '/', method: req.method, headers }, (reply) => {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(reply.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
    res.writeHead(reply.statusCode ?? 502, out);
    reply.pipe(res);
  });
  forward.on('error', () => {
    upstreams[service].passOver(upstream);
    if (others.length > 0 && !res.headersSent && (!sent || SAFE_TO_REPEAT.has(req.method ?? ''))) return proxy(req, res, service, others);
    if (!res.headersSent) sendError(res, (req.url ?? '/').split('?')[0] ?? '/', new ApiError('UNAVAILABLE', `the ${service} service is unavailable`));
    else res.destroy();
  });
  // The body is piped once connected, so a refused connection leaves it unread for the next replica.
  forward.on('socket', (socket) => {
    const send = () => {
      sent = true;
      if (req.readableEnded) forward.end();
      else req.pipe(forward);
    };
    if (socket.connecting) socket.once('connect', send);
    else send();
  });
}

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  for (const [name, value] of Object.entries(securityHeadersFor(path))) res.setHeader(name, value);
  if (!HTTP_METHODS.has(req.method ?? '')) {
    res.setHeader('Allow', [...HTTP_METHODS].join(', '));
    return sendError(res, path, new ApiError('METHOD_NOT_ALLOWED', `method ${(req.method ?? '').slice(0, 32)} is not allowed`));
  }
  // The gateway's own readiness does not follow its upstreams (one slow service must not take the entry point
  // out of rotation); /ready/upstreams tells which services answer their probes.
  if (req.method === 'GET' && (path === '/health' || path === '/ready')) return sendJson(res, 200, { status: 'ok' });
  if (req.method === 'GET' && path === '/ready/upstreams') {
    void ready().then(({ down, replicasDown }) =>
      down.length === 0 ? sendJson(res, 200, { status: 'ready', replicasDown }) : sendJson(res, 503, { error: { code: 'UNAVAILABLE', message: `not ready: ${down.join(', ')}`, details: { replicasDown } } }),
    );
    return;
  }
  if (req.method === 'GET' && path === '/api/openapi.json') {
    const doc = openapi();
    if (doc) {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(doc);
      return;
    }
  }
  if (req.method === 'GET' && (path === '/api/docs' || path.startsWith('/api/docs'))) return proxy(req, res, 'audit');
  if (consoleFiles.serve(req, res, path)) return;
  const service = routeOf(req.method ?? 'GET', path);
  if (!service) return sendError(res, path, new NotFoundException(`no route for ${req.method ?? ''} ${path.slice(0, 200)}`));
  proxy(req, res, service);
});

answerMalformedRequestsWithJson(server);

const port = Number(process.env['PORT'] ?? 8080);
const host = process.env['MREG_HOST'] ?? '0.0.0.0';
server.listen(port, host, () => {
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${actual}`;
  process.stdout.write(`mreg gateway listening on ${url}\n  console: ${url}/\n`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.close(() => process.exit(0)));

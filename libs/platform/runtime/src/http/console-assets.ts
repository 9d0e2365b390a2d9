import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

// The web console (apps/console, built by Vite into apps/console/dist) is served at `/` by the all-in-one server
// and by the gateway; the API keeps `/api`, `/health`, `/ready` and MLflow's paths (docs/decisions/0035).

/** The console's own policy: its scripts, styles and images from this server, API calls to it, nothing inline. */
export const CONSOLE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const NOT_CONSOLE = /^\/(api|health|ready|metrics)(\/|$)/;

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Whether a path belongs to the console rather than to the API (everything but /api, /health, /ready, /metrics). */
export function isConsolePath(path: string): boolean {
  return !NOT_CONSOLE.test(path);
}

export interface ConsoleAssets {
  /** Whether the console was built (its index.html exists). */
  readonly available: boolean;
  /** Answers a console request (true), or leaves it to the API (false: not a console path or not GET/HEAD). */
  serve(req: IncomingMessage, res: ServerResponse, path: string): boolean;
}

/** Encodings the console's build writes next to its hashed assets (apps/console/vite.config.ts), best first. */
const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;

/** Whether an Accept-Encoding value (RFC 9110 §12.5.3) accepts `coding`: named or `*`, with a q-value above 0. */
export function accepts(header: string | undefined, coding: string): boolean {
  let star: boolean | undefined;
  for (const part of (header ?? '').split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const acceptable = q === undefined || Number(q.slice(2)) > 0;
    if (name.trim() === coding) return acceptable;
    if (name.trim() === '*') star = acceptable;
  }
  return star ?? false;
}

function send(req: IncomingMessage, res: ServerResponse, file: string, size: number, headers: Record<string, string>): void {
  res.writeHead(200, { ...headers, 'Content-Length': String(size), 'Content-Security-Policy': CONSOLE_CSP });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

function notFound(res: ServerResponse, message: string): void {
  const body = JSON.stringify({ error: { code: 'NOT_FOUND', message } });
  res.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}

/**
 * The console's files from `dir`: a file that exists is sent with its type (hashed `/assets/*` cached for a year,
 * everything else revalidated); any other path outside /assets/ is a route of the single-page app and gets
 * index.html (no-cache, so a new build is picked up at once), so deep links work.
 */
export function consoleAssets(dir: string): ConsoleAssets {
  const root = normalize(dir);
  const index = join(root, 'index.html');
  const available = existsSync(index);
  const fileOf = (path: string): { file: string; size: number } | undefined => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return undefined;
    }
    if (decoded.includes('\0')) return undefined;
    const file = normalize(join(root, decoded));
    if (!file.startsWith(root + sep)) return undefined;
    try {
      const stat = statSync(file);
      return stat.isFile() ? { file, size: stat.size } : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    available,
    serve(req, res, path) {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || !isConsolePath(path)) return false;
      if (!available) {
        notFound(res, 'the web console is not built here: run `npm run build` (it builds apps/console into apps/console/dist)');
        return true;
      }
      const found = path === '/' ? undefined : fileOf(path);
      if (found) {
        const hashed = path.startsWith('/assets/');
        const headers = { 'Content-Type': TYPES[extname(found.file).toLowerCase()] ?? 'application/octet-stream', 'Cache-Control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache' };
        // The build's compressed copy when the browser takes it (a third of the bytes to send and to cache).
        const encoding = hashed ? ENCODINGS.find((e) => accepts(req.headers['accept-encoding'], e.name)) : undefined;
        const compressed = encoding ? fileOf(`${path}${encoding.suffix}`) : undefined;
        if (hashed) res.setHeader('Vary', 'Accept-Encoding');
        if (encoding && compressed) send(req, res, compressed.file, compressed.size, { ...headers, 'Content-Encoding': encoding.name });
        else send(req, res, found.file, found.size, headers);
        return true;
      }
      // A missing build file (an old hashed asset) is a 404; any other path is a console route (a model's name may
      // have a dot in it).
      if (path.startsWith('/assets/')) {
        notFound(res, `no file ${path.slice(0, 200)}`);
        return true;
      }
      send(req, res, index, statSync(index).size, { 'Content-Type': TYPES['.html'], 'Cache-Control': 'no-cache' });
      return true;
    },
  };
}

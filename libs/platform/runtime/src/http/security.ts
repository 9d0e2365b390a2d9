import type { NextFunction, Request, Response } from 'express';
import { ApiError } from './api-error';
import { errorResponse } from './error-envelope.filter';

/** Methods the registry answers; anything else (TRACE, CONNECT, WebDAV verbs …) is a 405 on every path. */
export const HTTP_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const WRITES: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

// The API returns data, never a page: nothing may run, load or frame it. The docs page is the one HTML page and
// gets the policy Swagger UI needs (its own scripts and styles, served here; no inline script).
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const DOCS_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const DOCS_PATH = /^\/api\/docs(\/|$)/;

function refuse(req: Request, res: Response, error: ApiError, headers: Record<string, string> = {}): void {
  const { status, body } = errorResponse(req.path, error);
  res.status(status).set(headers).json(body);
}

/** The security headers of a response to `path` (the gateway sets the same on the answers it gives itself). */
export function securityHeadersFor(path: string): Record<string, string> {
  return {
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Content-Security-Policy': DOCS_PATH.test(path) ? DOCS_CSP : API_CSP,
  };
}

/** Security headers on every response, whatever answers it (routes, errors, the docs page, 404s). */
export function securityHeaders(req: Request, res: Response, next: NextFunction): void {
  res.set(securityHeadersFor(req.path));
  next();
}

/** TRACE and other methods the registry does not speak: 405 with the methods it does (RFC 9110 §15.5.6). */
export function refuseUnknownMethods(req: Request, res: Response, next: NextFunction): void {
  if (HTTP_METHODS.has(req.method)) return next();
  refuse(req, res, new ApiError('METHOD_NOT_ALLOWED', `method ${req.method.slice(0, 32)} is not allowed`), { Allow: [...HTTP_METHODS].join(', ') });
}

/** The host (and port) of an origin, lower-cased; undefined for `null` and other opaque origins. */
function hostOf(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.host === '' ? undefined : url.host.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Writes from a browser page of another origin are refused (cross-site request forgery): a request that names an
 * `Origin` must come from this server's own host (as the client addressed it: `X-Forwarded-Host` behind the
 * gateway, which a cross-site page cannot set without a preflight the registry never grants) or from an origin
 * the operator allows (MREG_ALLOWED_ORIGINS). Clients that are not browsers send no Origin and are unaffected.
 */
export function refuseForeignOrigins(allowed: readonly string[]) {
  const allowList = new Set(allowed.map((origin) => origin.toLowerCase().replace(/\/$/, '')));
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.headers.origin;
    if (origin === undefined || !WRITES.has(req.method)) return next();
    const forwarded = req.headers['x-forwarded-host'];
    const own = (typeof forwarded === 'string' ? forwarded : (req.headers.host ?? '')).toLowerCase();
    const given = hostOf(origin);
    if ((given !== undefined && given === own) || allowList.has(origin.toLowerCase())) return next();
    refuse(req, res, new ApiError('PERMISSION_DENIED', `writes from origin ${JSON.stringify(origin.slice(0, 256))} are not allowed`));
  };
}

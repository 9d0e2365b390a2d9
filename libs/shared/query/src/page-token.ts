import { createHash } from 'node:crypto';

/** A page token that was not issued by us, was altered, or belongs to a different query. */
export class PageTokenError extends Error {
  override readonly name = 'PageTokenError';
}

/** A page size outside the integers 1..max. */
export class PageSizeError extends Error {
  override readonly name = 'PageSizeError';
}

/** Keyset position: the sort value and id of the last item already returned. */
export interface PageCursor {
  readonly value: string | number | null;
  readonly id: string;
}

export const PAGE_TOKEN_MAX = 1024;
/** What a page token looks like (base64url without padding; empty means the first page), for the published contract. */
export const PAGE_TOKEN_PATTERN = '^[A-Za-z0-9_-]*$';
const TOKEN_VERSION = 1;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

// The token's JSON: v = version, q = short hash of the query fingerprint, k = sort value, i = id.
interface TokenBody {
  readonly v: number;
  readonly q: string;
  readonly k: string | number | null;
  readonly i: string;
}
const BODY_KEYS = ['i', 'k', 'q', 'v'];

// Storing a short hash keeps tokens small whatever the fingerprint looks like.
function fingerprintTag(fingerprint: string): string {
  return createHash('sha256').update(fingerprint, 'utf8').digest('base64url').slice(0, 22);
}

/**
 * Hash of everything that defines a result ordering (filter text, sort field, direction...). A token only
 * continues the query it was issued for.
 */
export function queryFingerprint(parts: readonly string[]): string {
  // JSON keeps part boundaries unambiguous: ['a|b'] and ['a', 'b'] differ.
  return createHash('sha256').update(JSON.stringify(parts), 'utf8').digest('hex');
}

/** Encodes `cursor` as an opaque URL-safe token. Throws RangeError when it would exceed PAGE_TOKEN_MAX. */
export function encodePageToken(cursor: PageCursor, fingerprint: string): string {
  const body: TokenBody = { v: TOKEN_VERSION, q: fingerprintTag(fingerprint), k: cursor.value, i: cursor.id };
  const token = Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
  if (token.length > PAGE_TOKEN_MAX) throw new RangeError('page cursor is too large for a page token');
  return token;
}

function invalid(): PageTokenError {
  return new PageTokenError('invalid page token');
}

function parseBody(token: string): TokenBody {
  if (typeof token !== 'string' || token.length === 0 || token.length > PAGE_TOKEN_MAX || !BASE64URL.test(token)) {
    throw invalid();
  }
  const bytes = Buffer.from(token, 'base64url');
  // The decoder is lenient (stray bits, bad lengths); only the exact encoding we produce is accepted.
  if (bytes.toString('base64url') !== token) throw invalid();
  let json: string;
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalid();
  }
  let body: unknown;
  try {
    body = JSON.parse(json);
  } catch {
    throw invalid();
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid();
  const keys = Object.keys(body).sort();
  if (keys.length !== BODY_KEYS.length || keys.some((k, i) => k !== BODY_KEYS[i])) throw invalid();
  const { v, q, k, i } = body as Record<string, unknown>;
  if (v !== TOKEN_VERSION || typeof q !== 'string' || typeof i !== 'string') throw invalid();
  // JSON.parse turns 1e999 into Infinity, which no sort value can be.
  if (!(k === null || typeof k === 'string' || (typeof k === 'number' && Number.isFinite(k)))) throw invalid();
  return { v, q, k, i };
}

/**
 * Decodes a token from `encodePageToken`. Throws PageTokenError when it is malformed in any way, or when it
 * was issued for a query with a different fingerprint.
 */
export function decodePageToken(token: string, fingerprint: string): PageCursor {
  const body = parseBody(token);
  if (body.q !== fingerprintTag(fingerprint)) {
    throw new PageTokenError('page token was issued for a different query (filter or sort changed)');
  }
  return { value: body.k, id: body.i };
}

export interface PageSizeOptions {
  readonly default: number;
  readonly max: number;
}

/**
 * Reads a page-size query parameter: absent means `default`; otherwise it must be an integer 1..max, given
 * as decimal text (as query strings are) or as a number. Throws PageSizeError for anything else.
 */
export function parsePageSize(raw: unknown, options: PageSizeOptions = { default: 50, max: 1000 }): number {
  if (raw === undefined) return options.default;
  let n: number;
  if (typeof raw === 'number') n = raw;
  else if (typeof raw === 'string' && /^[1-9][0-9]{0,9}$/.test(raw)) n = Number(raw);
  else n = NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > options.max) {
    throw new PageSizeError(`page size must be an integer from 1 to ${options.max}`);
  }
  return n;
}

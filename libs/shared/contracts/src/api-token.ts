import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiTokenCreated, ApiTokenEvent } from './events';
import { unknownEvent } from './decider';

/*
 * API tokens for machines (decision 33): `mreg_pat_<id>_<secret>`, the id (32 hex digits, a UUID without dashes)
 * naming the token's stream `api-token-<uuid>` and the secret 32 random bytes (base64url, 43 characters). The log
 * keeps the SHA-256 of the secret only. Every service resolves a presented token by reading its stream, so a
 * revocation holds everywhere from the moment it is in the log.
 */

export const API_TOKEN_PREFIX = 'mreg_pat_';
const PRESENTED = /^mreg_pat_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

/** The longest life a token may be given: a year. */
export const API_TOKEN_MAX_LIFETIME_DAYS = 366;

/** The id and secret of a presented token, or undefined when it is not shaped like one. */
export function parseApiToken(presented: string): { tokenId: string; secret: string } | undefined {
  const match = PRESENTED.exec(presented);
  if (!match?.[1] || !match[2]) return undefined;
  const hex = match[1];
  return { tokenId: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`, secret: match[2] };
}

/** The token a client presents, from its id (a UUID) and its secret. */
export function formatApiToken(tokenId: string, secret: string): string {
  return `${API_TOKEN_PREFIX}${tokenId.replaceAll('-', '')}_${secret}`;
}

export function apiTokenSecretDigest(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Whether `secret` is the one whose digest was recorded (compared in constant time). */
export function apiTokenSecretMatches(secret: string, recordedSha256: string): boolean {
  const presented = Buffer.from(apiTokenSecretDigest(secret), 'hex');
  const recorded = Buffer.from(recordedSha256, 'hex');
  return presented.length === recorded.length && timingSafeEqual(presented, recorded);
}

/** A token as its stream says: none yet, or issued (and perhaps revoked since). */
export type ApiTokenState = { readonly status: 'none' } | ({ readonly status: 'active' | 'revoked' } & ApiTokenCreated['data']);

export const NO_API_TOKEN: ApiTokenState = { status: 'none' };

/** The token after one of its events: the one fold of the write side and of every service that authenticates. */
export function evolveApiToken(state: ApiTokenState, event: ApiTokenEvent): ApiTokenState {
  switch (event.type) {
    case 'ApiTokenCreated':
      return { status: 'active', ...event.data };
    case 'ApiTokenRevoked':
      return state.status === 'active' ? { ...state, status: 'revoked' } : state;
    default:
      return unknownEvent(event, state);
  }
}

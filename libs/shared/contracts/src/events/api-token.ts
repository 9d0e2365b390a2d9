import type { Event } from './event';
import type { Role } from './governance';

// ---- stream api-token-<tokenId>: an API token for a machine (decision 33) -----------------------------------
/**
 * A token was issued to `owner`, acting with `roles` (no more than its creator holds) and, when `models` is given,
 * only on those models (ids). `secretSha256` is the SHA-256 of the token's secret part (hex): the secret itself is
 * shown once and never stored.
 */
export type ApiTokenCreated = Event<
  'ApiTokenCreated',
  {
    tokenId: string;
    name: string;
    owner: string;
    roles: readonly Role[];
    models?: readonly string[];
    expiresAt: string;
    secretSha256: string;
  }
>;
/** The token was revoked: refused from now on, by every service. */
export type ApiTokenRevoked = Event<'ApiTokenRevoked', { tokenId: string }>;
export type ApiTokenEvent = ApiTokenCreated | ApiTokenRevoked;

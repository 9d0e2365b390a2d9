import { API_TOKEN_MAX_LIFETIME_DAYS, DomainError, NO_API_TOKEN, effectiveRoles, evolveApiToken, unknownCommand } from '@mreg/shared/contracts';
import type { ApiTokenEvent, ApiTokenState, Command, Decider, Principal, Role } from '@mreg/shared/contracts';

// Stream api-token-<tokenId>: an API token for a machine (decision 33). Issued by its owner for themselves, or by an
// admin for anyone; never with more than its issuer holds; for a limited time; revoked by its owner or an admin.

export type IssueApiToken = Command<
  'IssueApiToken',
  {
    tokenId: string;
    name: string;
    owner: string;
    roles: readonly Role[];
    /** Model ids the token is limited to (absent: every model its roles and its owner's grants allow). */
    models?: readonly string[];
    expiresAt: string;
    secretSha256: string;
    /** Who asks, and when (the adapter's clock). */
    issuer: Principal;
    now: string;
  }
>;
export type RevokeApiToken = Command<'RevokeApiToken', { tokenId: string; by: Principal }>;
export type ApiTokenCommand = IssueApiToken | RevokeApiToken;

const DAY_MS = 24 * 60 * 60 * 1000;

const isAdmin = (p: Principal) => p.roles.includes('admin');

export function decideApiToken(command: ApiTokenCommand, state: ApiTokenState): ApiTokenEvent[] {
  switch (command.type) {
    case 'IssueApiToken': {
      const { tokenId, name, owner, roles, models, expiresAt, secretSha256, issuer, now } = command.data;
      if (state.status !== 'none') throw new DomainError('CONFLICT', `API token ${tokenId} already exists`, { tokenId });
      if (owner !== issuer.user && !isAdmin(issuer)) throw new DomainError('PERMISSION_DENIED', 'only an admin issues API tokens for another user');
      if (roles.length === 0) throw new DomainError('INVALID_ARGUMENT', 'an API token needs at least one role');
      // Never more than the issuer holds: a contributor cannot mint an approver.
      const held = effectiveRoles(issuer.roles);
      const beyond = roles.filter((r) => !held.has(r));
      if (beyond.length > 0) throw new DomainError('PERMISSION_DENIED', `an API token cannot hold roles its issuer does not: ${beyond.join(', ')}`, { roles: beyond });
      // A credential limited to some models issues tokens limited to (some of) them, never wider ones.
      if (issuer.models !== undefined && (models === undefined || models.some((m) => !issuer.models?.includes(m)))) {
        throw new DomainError('PERMISSION_DENIED', 'a credential limited to some models may issue tokens only for those models');
      }
      const expires = Date.parse(expiresAt);
      const at = Date.parse(now);
      // Refused as a precondition of the moment (409), not of the request's shape: the same body is fine earlier.
      if (!Number.isFinite(expires) || expires <= at) throw new DomainError('FAILED_PRECONDITION', 'expiresAt must be in the future', { expiresAt });
      if (expires - at > API_TOKEN_MAX_LIFETIME_DAYS * DAY_MS) throw new DomainError('FAILED_PRECONDITION', `an API token lives at most ${API_TOKEN_MAX_LIFETIME_DAYS} days from now`, { expiresAt });
      return [{ type: 'ApiTokenCreated', data: { tokenId, name, owner, roles: [...roles], ...(models !== undefined ? { models: [...models] } : {}), expiresAt, secretSha256 } }];
    }
    case 'RevokeApiToken': {
      const { tokenId, by } = command.data;
      // Someone else's token is not there for the caller (its id says nothing about whether it exists).
      if (state.status === 'none' || (state.owner !== by.user && !isAdmin(by))) throw new DomainError('NOT_FOUND', `API token ${tokenId} not found`, { tokenId });
      // Revoking a revoked token again changes nothing.
      return state.status === 'revoked' ? [] : [{ type: 'ApiTokenRevoked', data: { tokenId } }];
    }
    default:
      return unknownCommand(command);
  }
}

export const apiTokenDecider = {
  initialState: NO_API_TOKEN,
  decide: decideApiToken,
  evolve: evolveApiToken,
} satisfies Decider<ApiTokenState, ApiTokenCommand, ApiTokenEvent>;

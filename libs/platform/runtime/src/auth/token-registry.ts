import { createHash } from 'node:crypto';
import { ROLES, effectiveRoles } from '@mreg/shared/contracts';
import type { Principal, Role } from '@mreg/shared/contracts';

const USER = /^[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}$/;
/** A group name as grants spell it after `group:` (ACCESS_SUBJECT). */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const GROUP = /^[^\s\u0000-\u001f\u007f]{1,200}$/u;

/** Every role `roles` hold, the implied ones included (the one table is in the contracts). */
export { effectiveRoles };

export function hasAnyRole(principal: Principal, required: readonly Role[]): boolean {
  const held = effectiveRoles(principal.roles);
  return required.length === 0 || required.some((r) => held.has(r));
}

/** Bearer tokens → principals. Tokens are kept only as SHA-256 digests. */
export class TokenRegistry {
  private readonly byDigest = new Map<string, Principal>();

  constructor(entries: Readonly<Record<string, Principal>>) {
    for (const [token, principal] of Object.entries(entries)) this.byDigest.set(digest(token), principal);
  }

  /** Parses the MREG_TOKENS JSON: {"<token>": {"user": "...", "roles": [...], "groups"?: [...]}}; throws with a clear message. */
  static fromJson(json: string): TokenRegistry {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      throw new Error('MREG_TOKENS is not valid JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('MREG_TOKENS must be a JSON object');
    const entries: Record<string, Principal> = {};
    for (const [token, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (token.length < 16 || token.length > 512 || /\s/.test(token)) throw new Error('MREG_TOKENS: every token needs 16..512 non-space characters');
      if (typeof value !== 'object' || value === null) throw new Error('MREG_TOKENS: each token maps to {"user", "roles"}');
      const { user, roles, groups } = value as { user?: unknown; roles?: unknown; groups?: unknown };
      if (typeof user !== 'string' || !USER.test(user)) throw new Error(`MREG_TOKENS: invalid user ${JSON.stringify(user)}`);
      if (!Array.isArray(roles) || roles.length === 0 || !roles.every((r): r is Role => ROLES.includes(r as Role))) {
        throw new Error(`MREG_TOKENS: roles of ${user} must be a non-empty list of ${ROLES.join(', ')}`);
      }
      if (groups !== undefined && (!Array.isArray(groups) || groups.length > 256 || !groups.every((g) => typeof g === 'string' && GROUP.test(g)))) {
        throw new Error(`MREG_TOKENS: groups of ${user} must be a list of at most 256 names (1..200 characters, no spaces or control characters)`);
      }
      entries[token] = groups === undefined ? { user, roles } : { user, roles, groups: groups as string[] };
    }
    return new TokenRegistry(entries);
  }

  resolve(token: string): Principal | undefined {
    return this.byDigest.get(digest(token));
  }

  get size(): number {
    return this.byDigest.size;
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

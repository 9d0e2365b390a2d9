import { ROLES, isRole } from '@mreg/shared/contracts';
import type { Principal, Role } from '@mreg/shared/contracts';
import { JWT_ALGORITHMS, JwtRejected, JwtVerifier } from './jwt-verifier';
import type { JwtAlgorithm } from './jwt-verifier';
import { OidcKeys } from './oidc-keys';
import type { OidcEndpoints } from './oidc-keys';
import type { MregConfig } from '../config/mreg.config';

/** How an OpenID provider's access token becomes a principal (MREG_OIDC_*; README "Single sign-on"). */
export interface OidcSettings {
  readonly issuer: string;
  readonly audience: string;
  readonly algorithms: readonly JwtAlgorithm[];
  /** The claim naming the user; `sub` when the token has no such claim (a machine's client-credentials token). */
  readonly userClaim: string;
  /** The claim listing the user's groups (grants name them as `group:<name>`). */
  readonly groupsClaim: string;
  /** A claim listing mreg role names the provider assigns directly (optional). */
  readonly rolesClaim?: string;
  /** group → the roles its members get. */
  readonly groupRoles: Readonly<Record<string, readonly Role[]>>;
  /** Roles every user the provider vouches for gets. */
  readonly defaultRoles: readonly Role[];
  readonly clockSkewSeconds: number;
  readonly keysCacheSeconds: number;
  readonly keysMinRefreshSeconds: number;
}

/** The user-name grammar of every identity (MREG_TOKENS users, API token owners, provider users). */
export const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}$/;
/** Group names as grants spell them (`group:<name>`): printable, no spaces. */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const GROUP_NAME = /^[^\s\u0000-\u001f\u007f]{1,200}$/u;
const MAX_GROUPS = 256;

/** MREG_OIDC_ALGORITHMS: a comma-separated list of asymmetric JWS algorithms; a problem as a message. */
export function parseJwtAlgorithms(list: string): JwtAlgorithm[] | string {
  const names = list
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a.length > 0);
  if (names.length === 0) return 'must name at least one algorithm';
  const unknown = names.filter((a) => !(JWT_ALGORITHMS as readonly string[]).includes(a));
  if (unknown.length > 0) return `${unknown.join(', ')}: not accepted (asymmetric algorithms only: ${JWT_ALGORITHMS.join(', ')})`;
  return names as JwtAlgorithm[];
}

/** MREG_OIDC_GROUP_ROLES: JSON {"<group>": "<role>" | ["<role>", …]}; a problem as a message. */
export function parseGroupRoles(json: string): Record<string, Role[]> | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return 'is not valid JSON';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'must be a JSON object {"<group>": "<role>" | ["<role>", …]}';
  const mapping: Record<string, Role[]> = {};
  for (const [group, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (!GROUP_NAME.test(group)) return `${JSON.stringify(group)} is not a group name (1..200 printable characters, no spaces)`;
    const roles = Array.isArray(value) ? (value as unknown[]) : [value];
    if (roles.length === 0 || !roles.every(isRole)) return `the roles of group ${JSON.stringify(group)} must be one or more of ${ROLES.join(', ')}`;
    mapping[group] = roles;
  }
  return mapping;
}

/**
 * A claim by name, or by a dotted path into nested objects when no claim has that exact name (Keycloak's
 * `realm_access.roles`); a claim named by a URL (`https://example.com/groups`) is found by its exact name first.
 */
function claimAt(claims: Readonly<Record<string, unknown>>, name: string): unknown {
  if (Object.hasOwn(claims, name)) return claims[name];
  let value: unknown = claims;
  for (const key of name.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function stringsAt(claims: Readonly<Record<string, unknown>>, name: string): string[] {
  const value = claimAt(claims, name);
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * The principal of a verified token's claims: the user from the user claim (else `sub`), the groups from the groups
 * claim (names a grant cannot spell are left out), the roles from the roles claim, the groups' roles and the
 * default roles together. A token naming no valid user is refused.
 */
export function principalOfClaims(claims: Readonly<Record<string, unknown>>, settings: Pick<OidcSettings, 'userClaim' | 'groupsClaim' | 'rolesClaim' | 'groupRoles' | 'defaultRoles'>): Principal {
  const named = claimAt(claims, settings.userClaim);
  const user = typeof named === 'string' && named !== '' ? named : claims['sub'];
  if (typeof user !== 'string' || !USER_NAME.test(user)) throw new JwtRejected('the token names no valid user');
  const groups = [...new Set(stringsAt(claims, settings.groupsClaim).filter((g) => GROUP_NAME.test(g)))].slice(0, MAX_GROUPS);
  const roles = new Set<Role>(settings.defaultRoles);
  if (settings.rolesClaim !== undefined) for (const role of stringsAt(claims, settings.rolesClaim)) if (isRole(role)) roles.add(role);
  for (const group of groups) for (const role of Object.hasOwn(settings.groupRoles, group) ? (settings.groupRoles[group] ?? []) : []) roles.add(role);
  return { user, roles: ROLES.filter((r) => roles.has(r)), groups };
}

/** A JWT's shape: three base64url parts (the signature may be empty: `alg: none` reaches the verifier and is refused there). */
export const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Single sign-on: bearer JWTs from one OpenID provider, verified with its published keys (JwtVerifier, OidcKeys),
 * mapped to a principal by the configured claims.
 */
export class OidcIdentity {
  private readonly verifier: JwtVerifier;
  private readonly keys: OidcKeys;

  constructor(readonly settings: OidcSettings) {
    this.keys = new OidcKeys({ issuer: settings.issuer, cacheMs: settings.keysCacheSeconds * 1000, minRefreshMs: settings.keysMinRefreshSeconds * 1000 });
    this.verifier = new JwtVerifier({ issuer: settings.issuer, audience: settings.audience, algorithms: settings.algorithms, clockSkewSeconds: settings.clockSkewSeconds }, this.keys.lookup);
  }

  /** The provider's authorization and token endpoints (the console's sign-in goes through them). */
  endpoints(): Promise<OidcEndpoints> {
    return this.keys.endpoints();
  }

  /** The principal of a bearer JWT; JwtRejected when the token is not good, another Error when the provider could not be asked. */
  async principalOf(token: string): Promise<Principal> {
    return principalOfClaims(await this.verifier.verify(token), this.settings);
  }
}

/** The single sign-on settings of a configuration, or undefined when no provider is configured (loadConfig checked them). */
export function oidcSettingsOf(config: MregConfig): OidcSettings | undefined {
  if (config.oidcIssuer === undefined || config.oidcAudience === undefined) return undefined;
  const algorithms = parseJwtAlgorithms(config.oidcAlgorithms);
  const groupRoles = config.oidcGroupRoles === undefined ? {} : parseGroupRoles(config.oidcGroupRoles);
  if (typeof algorithms === 'string') throw new Error(`MREG_OIDC_ALGORITHMS: ${algorithms}`);
  if (typeof groupRoles === 'string') throw new Error(`MREG_OIDC_GROUP_ROLES: ${groupRoles}`);
  return {
    issuer: config.oidcIssuer,
    audience: config.oidcAudience,
    algorithms,
    userClaim: config.oidcUserClaim,
    groupsClaim: config.oidcGroupsClaim,
    ...(config.oidcRolesClaim !== undefined ? { rolesClaim: config.oidcRolesClaim } : {}),
    groupRoles,
    defaultRoles: config.oidcDefaultRole === undefined ? [] : [config.oidcDefaultRole],
    clockSkewSeconds: config.oidcClockSkewSeconds,
    keysCacheSeconds: config.oidcKeysCacheSeconds,
    keysMinRefreshSeconds: config.oidcKeysMinRefreshSeconds,
  };
}

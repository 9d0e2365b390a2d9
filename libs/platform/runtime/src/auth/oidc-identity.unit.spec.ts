import { loadConfig } from '../config/mreg.config';
import { consoleSignInSettingsOf } from './console-sign-in';
import { oidcSettingsOf, parseGroupRoles, parseJwtAlgorithms, principalOfClaims } from './oidc-identity';
import { JwtRejected } from './jwt-verifier';

const settings = { userClaim: 'preferred_username', groupsClaim: 'groups', groupRoles: { 'ml-team': ['contributor' as const], auditors: ['reader' as const] }, defaultRoles: [] };

describe('principalOfClaims: an OpenID access token as a principal', () => {
  it('takes the user from the user claim, the groups from the groups claim, and the roles of the groups', () => {
    expect(principalOfClaims({ sub: 'f81d4fae', preferred_username: 'ada', groups: ['ml-team', 'auditors', 'other'] }, settings)).toEqual({ user: 'ada', roles: ['reader', 'contributor'], groups: ['ml-team', 'auditors', 'other'] });
  });

  it('names a token without the user claim (a machine) by its sub', () => {
    expect(principalOfClaims({ sub: 'pipeline', groups: 'auditors' }, settings)).toEqual({ user: 'pipeline', roles: ['reader'], groups: ['auditors'] });
  });

  it('adds the roles a roles claim names (mreg roles only), also at a dotted path, and the default role', () => {
    const claims = { sub: 'x', realm_access: { roles: ['approver', 'offline_access', 'superuser'] } };
    expect(principalOfClaims(claims, { ...settings, rolesClaim: 'realm_access.roles', defaultRoles: ['reader'] })).toEqual({ user: 'x', roles: ['reader', 'approver'], groups: [] });
    // A claim named by a URL is found by its exact name.
    expect(principalOfClaims({ sub: 'x', 'https://mreg.example.com/roles': ['admin'] }, { ...settings, rolesClaim: 'https://mreg.example.com/roles' }).roles).toEqual(['admin']);
  });

  it('gives no role to a user no claim or group gives one (every route then answers 403)', () => {
    expect(principalOfClaims({ sub: 'nobody' }, settings)).toEqual({ user: 'nobody', roles: [], groups: [] });
  });

  it('leaves out group names a grant cannot spell, and never lets a group map to an inherited property', () => {
    expect(principalOfClaims({ sub: 'x', groups: ['ok', 'with space', '', 7, 'toString'] }, settings)).toEqual({ user: 'x', roles: [], groups: ['ok', 'toString'] });
  });

  it('refuses a token that names no valid user', () => {
    expect(() => principalOfClaims({ preferred_username: 'has space' }, settings)).toThrow(JwtRejected);
    expect(() => principalOfClaims({}, settings)).toThrow('the token names no valid user');
  });
});

describe('single sign-on settings', () => {
  it('parse the algorithms (asymmetric only) and the group roles, with a message per mistake', () => {
    expect(parseJwtAlgorithms('RS256, ES256')).toEqual(['RS256', 'ES256']);
    expect(parseJwtAlgorithms('RS256,HS256')).toMatch(/HS256: not accepted/);
    expect(parseJwtAlgorithms('none')).toMatch(/none: not accepted/);
    expect(parseGroupRoles('{"ml": "contributor", "ops": ["approver", "reader"]}')).toEqual({ ml: ['contributor'], ops: ['approver', 'reader'] });
    expect(parseGroupRoles('{"ml": "owner"}')).toMatch(/roles of group "ml"/);
    expect(parseGroupRoles('[]')).toMatch(/JSON object/);
  });

  it('are checked at boot: an issuer over plain http off the loopback, no audience, or a bad mapping stop the start', () => {
    expect(() => loadConfig({ MREG_OIDC_ISSUER: 'http://id.example.com', MREG_OIDC_AUDIENCE: 'mreg' })).toThrow(/MREG_OIDC_ISSUER: must be https/);
    expect(() => loadConfig({ MREG_OIDC_ISSUER: 'https://id.example.com' })).toThrow(/MREG_OIDC_AUDIENCE: required with MREG_OIDC_ISSUER/);
    expect(() => loadConfig({ MREG_OIDC_ISSUER: 'https://id.example.com', MREG_OIDC_AUDIENCE: 'mreg', MREG_OIDC_GROUP_ROLES: '{"a": "root"}' })).toThrow(/MREG_OIDC_GROUP_ROLES/);
    expect(() => loadConfig({ MREG_OIDC_ISSUER: 'https://id.example.com', MREG_OIDC_AUDIENCE: 'mreg', MREG_OIDC_ALGORITHMS: 'HS256' })).toThrow(/MREG_OIDC_ALGORITHMS/);
    expect(oidcSettingsOf(loadConfig({}))).toBeUndefined();
    expect(oidcSettingsOf(loadConfig({ MREG_OIDC_ISSUER: 'https://id.example.com/realms/ml', MREG_OIDC_AUDIENCE: 'mreg', MREG_OIDC_DEFAULT_ROLE: 'reader' }))).toMatchObject({
      issuer: 'https://id.example.com/realms/ml',
      audience: 'mreg',
      algorithms: ['RS256', 'PS256', 'ES256'],
      userClaim: 'preferred_username',
      groupsClaim: 'groups',
      groupRoles: {},
      defaultRoles: ['reader'],
      clockSkewSeconds: 60,
    });
  });

  it("checks the console's sign-in settings at boot: a client needs a provider, scopes are RFC 6749 tokens, openid is always asked", () => {
    const sso = { MREG_OIDC_ISSUER: 'https://id.example.com', MREG_OIDC_AUDIENCE: 'mreg' };
    expect(() => loadConfig({ MREG_OIDC_CONSOLE_CLIENT_ID: 'mreg-console' })).toThrow(/MREG_OIDC_CONSOLE_CLIENT_ID: needs MREG_OIDC_ISSUER/);
    expect(() => loadConfig({ ...sso, MREG_OIDC_CONSOLE_CLIENT_ID: 'has space' })).toThrow(/MREG_OIDC_CONSOLE_CLIENT_ID/);
    expect(() => loadConfig({ ...sso, MREG_OIDC_CONSOLE_CLIENT_ID: 'c', MREG_OIDC_CONSOLE_SCOPE: 'openid  api' })).toThrow(/MREG_OIDC_CONSOLE_SCOPE/);
    expect(() => loadConfig({ ...sso, MREG_OIDC_CONSOLE_CLIENT_ID: 'c', MREG_OIDC_CONSOLE_SCOPE: 'openid "api"' })).toThrow(/MREG_OIDC_CONSOLE_SCOPE/);
    expect(consoleSignInSettingsOf(loadConfig(sso))).toBeUndefined();
    expect(consoleSignInSettingsOf(loadConfig({ ...sso, MREG_OIDC_CONSOLE_CLIENT_ID: 'mreg-console', MREG_OIDC_CONSOLE_SCOPE: 'profile api://mreg/access' }))).toEqual({ clientId: 'mreg-console', scope: 'openid profile api://mreg/access' });
    expect(consoleSignInSettingsOf(loadConfig({ ...sso, MREG_OIDC_CONSOLE_CLIENT_ID: 'c', MREG_OIDC_CONSOLE_CLIENT_SECRET: 's3cret', MREG_OIDC_CONSOLE_RESOURCE: 'https://mreg.example.com/api' }))).toEqual({
      clientId: 'c',
      clientSecret: 's3cret',
      scope: 'openid profile',
      resource: 'https://mreg.example.com/api',
    });
  });
});

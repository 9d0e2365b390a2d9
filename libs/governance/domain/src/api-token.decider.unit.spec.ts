import { DomainError, fold } from '@mreg/shared/contracts';
import type { ApiTokenEvent, Principal } from '@mreg/shared/contracts';
import { apiTokenDecider } from './api-token.decider';
import type { ApiTokenCommand, IssueApiToken } from './api-token.decider';

const TOKEN = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';
const MODEL = '0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10';
const NOW = '2026-12-01T00:00:00.000Z';
const alice: Principal = { user: 'alice', roles: ['contributor'] };
const root: Principal = { user: 'root', roles: ['admin'] };
const issue = (data: Partial<IssueApiToken['data']> = {}): IssueApiToken => ({
  type: 'IssueApiToken',
  data: { tokenId: TOKEN, name: 'ci', owner: 'alice', roles: ['contributor'], expiresAt: '2027-01-01T00:00:00.000Z', secretSha256: 'ab'.repeat(32), issuer: alice, now: NOW, ...data },
});

function when(given: readonly ApiTokenEvent[], command: ApiTokenCommand): readonly ApiTokenEvent[] {
  return apiTokenDecider.decide(command, fold(apiTokenDecider, given));
}
function refusal(given: readonly ApiTokenEvent[], command: ApiTokenCommand): string {
  try {
    when(given, command);
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  return 'accepted';
}

const created = (data: Partial<IssueApiToken['data']> = {}) => when([], issue(data));

describe('api token decider', () => {
  it('issues a token to its owner with the roles asked (at most the issuer holds), its models and expiry', () => {
    expect(created({ roles: ['reader'], models: [MODEL] })).toEqual([
      { type: 'ApiTokenCreated', data: { tokenId: TOKEN, name: 'ci', owner: 'alice', roles: ['reader'], models: [MODEL], expiresAt: '2027-01-01T00:00:00.000Z', secretSha256: 'ab'.repeat(32) } },
    ]);
  });

  it('refuses roles beyond the issuer, another owner unless the issuer is an admin, and lets an admin do both', () => {
    expect(refusal([], issue({ roles: ['approver'] }))).toBe('PERMISSION_DENIED');
    expect(refusal([], issue({ owner: 'bob' }))).toBe('PERMISSION_DENIED');
    expect(refusal([], issue({ owner: 'bob', roles: ['admin'], issuer: root }))).toBe('accepted');
  });

  it('keeps a credential limited to models to those models', () => {
    const scoped: Principal = { ...alice, models: [MODEL] };
    expect(refusal([], issue({ issuer: scoped }))).toBe('PERMISSION_DENIED');
    expect(refusal([], issue({ issuer: scoped, models: [MODEL, '11111111-2222-4333-8444-555555555555'] }))).toBe('PERMISSION_DENIED');
    expect(refusal([], issue({ issuer: scoped, models: [MODEL] }))).toBe('accepted');
  });

  it('needs an expiry in the future and within a year', () => {
    expect(refusal([], issue({ expiresAt: NOW }))).toBe('FAILED_PRECONDITION');
    expect(refusal([], issue({ expiresAt: '2028-01-01T00:00:00.000Z' }))).toBe('FAILED_PRECONDITION');
    expect(refusal([], issue({ roles: [] }))).toBe('INVALID_ARGUMENT');
  });

  it('issues a token id once', () => {
    expect(refusal(created(), issue())).toBe('CONFLICT');
  });

  it('revokes for its owner or an admin, once; anyone else does not find it', () => {
    const given = created();
    expect(when(given, { type: 'RevokeApiToken', data: { tokenId: TOKEN, by: alice } })).toEqual([{ type: 'ApiTokenRevoked', data: { tokenId: TOKEN } }]);
    expect(when(given, { type: 'RevokeApiToken', data: { tokenId: TOKEN, by: root } })).toHaveLength(1);
    expect(refusal(given, { type: 'RevokeApiToken', data: { tokenId: TOKEN, by: { user: 'bob', roles: ['approver'] } } })).toBe('NOT_FOUND');
    expect(refusal([], { type: 'RevokeApiToken', data: { tokenId: TOKEN, by: root } })).toBe('NOT_FOUND');
    expect(when([...given, { type: 'ApiTokenRevoked', data: { tokenId: TOKEN } }], { type: 'RevokeApiToken', data: { tokenId: TOKEN, by: alice } })).toEqual([]);
  });
});

import { OPEN_MODEL_ACCESS, permissionOn, permits, readersOf } from './access';
import type { ModelAccess } from './access';
import type { Principal } from './principal';

const privateModel: ModelAccess = { visibility: 'private', grants: { 'user:alice': 'manage', 'group:risk': 'write', 'user:rita': 'read' } };
const as = (user: string, roles: Principal['roles'], more: Partial<Principal> = {}): Principal => ({ user, roles, ...more });

describe('model access', () => {
  it('lets every caller read an open model, and only grantees change it', () => {
    expect(permissionOn(as('zoe', ['contributor']), 'm1', OPEN_MODEL_ACCESS)).toBe('read');
    expect(permits(as('zoe', ['contributor']), 'm1', OPEN_MODEL_ACCESS, 'write')).toBe(false);
    expect(permissionOn(as('alice', ['contributor']), 'm1', { ...OPEN_MODEL_ACCESS, grants: { 'user:alice': 'write' } })).toBe('write');
  });

  it('hides a private model from everyone without a grant', () => {
    expect(permissionOn(as('zoe', ['contributor']), 'm1', privateModel)).toBeUndefined();
    expect(permissionOn(as('alice', ['contributor']), 'm1', privateModel)).toBe('manage');
  });

  it('takes the highest of the user and group grants', () => {
    expect(permissionOn(as('rita', ['contributor'], { groups: ['risk'] }), 'm1', privateModel)).toBe('write');
    expect(permissionOn(as('sam', ['approver'], { groups: ['ops', 'risk'] }), 'm1', privateModel)).toBe('write');
  });

  it('keeps a read-only identity read-only whatever a model grants it', () => {
    expect(permissionOn(as('alice', ['reader']), 'm1', privateModel)).toBe('read');
    expect(permissionOn(as('zoe', ['reader']), 'm1', privateModel)).toBeUndefined();
  });

  it('lets an admin manage every model, unless its credential is limited to other models', () => {
    expect(permissionOn(as('root', ['admin']), 'm1', privateModel)).toBe('manage');
    expect(permissionOn(as('root', ['admin'], { models: ['m2'] }), 'm1', privateModel)).toBeUndefined();
    expect(permissionOn(as('alice', ['contributor'], { models: ['m1'] }), 'm1', privateModel)).toBe('manage');
    expect(permissionOn(as('zoe', ['contributor'], { models: ['m2'] }), 'm1', OPEN_MODEL_ACCESS)).toBeUndefined();
  });

  it('lists the readers a document carries: every grantee, and * when open', () => {
    expect(readersOf(privateModel)).toEqual({ 'user:alice': 1, 'group:risk': 1, 'user:rita': 1 });
    expect(readersOf({ visibility: 'registry', grants: { 'user:bo': 'write' } })).toEqual({ '*': 1, 'user:bo': 1 });
  });
});

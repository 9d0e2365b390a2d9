import { DomainError } from '@mreg/shared/contracts';
import type { AliasProtection, DomainErrorCode, Principal, Role, Stage } from '@mreg/shared/contracts';
import { requireMayMoveAlias } from './alias-protection';
import type { AliasMove } from './alias-protection';

const as = (...roles: Role[]): Principal => ({ user: roles.join('+') || 'nobody', roles });
const champion: AliasProtection = { stage: 'production', role: 'approver' };

/** Given who asks and the protection, when the alias is moved onto a version in `stage` (or removed), then … */
function outcome(by: Principal, protection: AliasProtection | undefined, stage?: Stage): 'allowed' | DomainErrorCode {
  const move: AliasMove = { modelId: 'm1', modelName: 'fraud', alias: 'champion', by, protection, ...(stage === undefined ? {} : { target: { version: 3, stage } }) };
  try {
    requireMayMoveAlias(move);
    return 'allowed';
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

describe('who may move an alias, and where to', () => {
  it.each<[string, Principal, Stage | undefined, 'allowed' | DomainErrorCode]>([
    ['a contributor moves it anywhere', as('contributor'), 'development', 'allowed'],
    ['a contributor removes it', as('contributor'), undefined, 'allowed'],
    ['an admin moves it', as('admin'), 'staging', 'allowed'],
    ['an approver who is no contributor does not', as('approver'), 'production', 'PERMISSION_DENIED'],
    ['a reader does not', as('reader'), undefined, 'PERMISSION_DENIED'],
  ])('a free alias: %s', (_label, by, stage, expected) => {
    expect(outcome(by, undefined, stage)).toBe(expected);
  });

  it.each<[string, Principal, Stage | undefined, 'allowed' | DomainErrorCode]>([
    ['an approver points it at a version in the stage', as('approver'), 'production', 'allowed'],
    ['an approver and contributor too', as('approver', 'contributor'), 'production', 'allowed'],
    ['an admin too', as('admin'), 'production', 'allowed'],
    ['a contributor may not, wherever it would point', as('contributor'), 'production', 'PERMISSION_DENIED'],
    ['a contributor may not remove it', as('contributor'), undefined, 'PERMISSION_DENIED'],
    ['a reader may not', as('reader'), 'production', 'PERMISSION_DENIED'],
    ['an approver may not point it at a version in another stage', as('approver'), 'staging', 'FAILED_PRECONDITION'],
    ['nor may an admin', as('admin'), 'archived', 'FAILED_PRECONDITION'],
    ['an approver removes it, whatever stage its version is in', as('approver'), undefined, 'allowed'],
  ])('a protected alias: %s', (_label, by, stage, expected) => {
    expect(outcome(by, champion, stage)).toBe(expected);
  });

  it('checks the role before the stage: a contributor learns nothing about stages', () => {
    expect(outcome(as('contributor'), champion, 'staging')).toBe('PERMISSION_DENIED');
  });

  it("takes the protection's role as it is: contributors may be the ones who move it, only into the stage", () => {
    const staged: AliasProtection = { stage: 'staging', role: 'contributor' };
    expect(outcome(as('contributor'), staged, 'staging')).toBe('allowed');
    expect(outcome(as('contributor'), staged, 'development')).toBe('FAILED_PRECONDITION');
    expect(outcome(as('approver'), staged, 'staging')).toBe('PERMISSION_DENIED');
  });

  it('says why, naming the alias, the role and the stages', () => {
    const move: AliasMove = { modelId: 'm1', modelName: 'fraud', alias: 'champion', by: as('contributor'), protection: champion };
    expect(() => requireMayMoveAlias(move)).toThrow('alias "champion" of model fraud is protected by its approval policy: only the approver role (or an admin) moves or removes it');
    expect(() => requireMayMoveAlias({ ...move, by: as('approver'), target: { version: 3, stage: 'staging' } })).toThrow('it points only at a version in production, and version 3 is in staging');
  });
});

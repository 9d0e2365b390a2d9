import { DomainError } from '@mreg/shared/contracts';
import type { AliasProtection, Principal, Stage } from '@mreg/shared/contracts';

// Who may move an alias, and where to. Aliases are free, as in MLflow: a contributor points them at any live
// version. A model's approval policy (governance's) may protect some: only a holder of the protection's role, or an
// admin, moves or removes such an alias, and only onto a version that is in the protection's stage at that moment.

/** A move or removal of an alias, with what the caller found: who asks, the protection, the target's stage. */
export interface AliasMove {
  readonly modelId: string;
  readonly modelName: string;
  readonly alias: string;
  readonly by: Principal;
  /** The alias's protection under the model's approval policy in force; undefined when the alias is free. */
  readonly protection: AliasProtection | undefined;
  /** The live version the alias is to point at and its stage now; undefined for a removal (or no such version). */
  readonly target?: { readonly version: number; readonly stage: Stage };
}

/**
 * Refuses a move the caller may not make: PERMISSION_DENIED without the role (contributor for a free alias, the
 * protection's for a protected one; an admin always may), FAILED_PRECONDITION for a protected alias pointed at a
 * version outside its stage. A removal only needs the role: it leaves the alias pointing nowhere, never elsewhere.
 */
export function requireMayMoveAlias(move: AliasMove): void {
  const { modelId, modelName, alias, by, protection, target } = move;
  const role = protection?.role ?? 'contributor';
  if (!by.roles.includes('admin') && !by.roles.includes(role)) {
    const message =
      protection === undefined
        ? `moving alias "${alias}" of model ${modelName} needs the contributor role`
        : `alias "${alias}" of model ${modelName} is protected by its approval policy: only the ${role} role (or an admin) moves or removes it`;
    throw new DomainError('PERMISSION_DENIED', message, { modelId, alias, role });
  }
  if (protection !== undefined && target !== undefined && target.stage !== protection.stage) {
    throw new DomainError('FAILED_PRECONDITION', `alias "${alias}" of model ${modelName} is protected by its approval policy: it points only at a version in ${protection.stage}, and version ${target.version} is in ${target.stage}`, {
      modelId,
      alias,
      version: target.version,
      stage: target.stage,
      requiredStage: protection.stage,
    });
  }
}

import { ROLES } from './events';
import type { Role } from './events';

/** Roles that imply others: an approver and a contributor can also read; an admin holds them all. */
export const IMPLIED_ROLES: Readonly<Record<Role, readonly Role[]>> = {
  reader: ['reader'],
  contributor: ['contributor', 'reader'],
  approver: ['approver', 'reader'],
  admin: ['admin', 'approver', 'contributor', 'reader'],
};

/** Every role `roles` hold, the implied ones included. */
export function effectiveRoles(roles: readonly Role[]): Set<Role> {
  return new Set(roles.flatMap((r) => IMPLIED_ROLES[r]));
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

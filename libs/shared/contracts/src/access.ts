import type { ModelAccessEvent } from './events';
import type { Principal } from './principal';

/*
 * Access to one model (decision 32). A model has grants, each a subject (`user:<name>` or `group:<name>`) with one
 * permission; `manage` includes `write`, which includes `read`. Its visibility says whether every authenticated
 * caller may read it (`registry`) or only its grantees (`private`). Registry-wide roles stay on top: an admin may
 * do everything to every model, and a caller whose roles are `reader` only never gets more than `read`.
 */

export const MODEL_PERMISSIONS = ['read', 'write', 'manage'] as const;
export type ModelPermission = (typeof MODEL_PERMISSIONS)[number];

export const MODEL_VISIBILITIES = ['registry', 'private'] as const;
export type ModelVisibility = (typeof MODEL_VISIBILITIES)[number];

export interface ModelAccess {
  readonly visibility: ModelVisibility;
  /** subject → its permission. */
  readonly grants: Readonly<Record<string, ModelPermission>>;
}

/** A model registered before grants existed, and the start of every model's fold: readable by all, no grantee. */
export const OPEN_MODEL_ACCESS: ModelAccess = { visibility: 'registry', grants: {} };

/** `user:<name>` or `group:<name>`: names as identities spell them (printable, no spaces), 1..200 characters. */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
export const ACCESS_SUBJECT = /^(user|group):[^\s\u0000-\u001f\u007f]{1,200}$/u;

/** The subject key of every read-model document's `readers` map that stands for "every authenticated caller". */
export const EVERY_READER = '*';

const RANK: Readonly<Record<ModelPermission, number>> = { read: 1, write: 2, manage: 3 };

export function includesPermission(held: ModelPermission | undefined, wanted: ModelPermission): boolean {
  return held !== undefined && RANK[held] >= RANK[wanted];
}

/** The subjects a principal acts as: its user and each of its groups. */
export function subjectsOf(principal: Principal): string[] {
  return [`user:${principal.user}`, ...(principal.groups ?? []).map((group) => `group:${group}`)];
}

/** The permission a principal holds on a model (undefined: none, not even read). */
export function permissionOn(principal: Principal, modelId: string, access: ModelAccess): ModelPermission | undefined {
  if (principal.models !== undefined && !principal.models.includes(modelId)) return undefined;
  if (principal.roles.includes('admin')) return 'manage';
  let held: ModelPermission | undefined = access.visibility === 'registry' ? 'read' : undefined;
  for (const subject of subjectsOf(principal)) {
    const granted = Object.hasOwn(access.grants, subject) ? access.grants[subject] : undefined;
    if (granted !== undefined && !includesPermission(held, granted)) held = granted;
  }
  // A read-only identity stays read-only whatever a model grants it.
  if (held !== undefined && principal.roles.every((role) => role === 'reader')) return 'read';
  return held;
}

export function permits(principal: Principal, modelId: string, access: ModelAccess, wanted: ModelPermission): boolean {
  return includesPermission(permissionOn(principal, modelId, access), wanted);
}

/** The keys of a read-model document's `readers` map: every subject with a grant, and EVERY_READER when visible to all. */
export function readersOf(access: ModelAccess): Record<string, 1> {
  const readers: Record<string, 1> = {};
  if (access.visibility === 'registry') readers[EVERY_READER] = 1;
  for (const subject of Object.keys(access.grants)) readers[subject] = 1;
  return readers;
}

/** The access after one of its events: the write side's fold and the read models' documents share it. */
export function evolveModelAccess(access: ModelAccess, event: ModelAccessEvent): ModelAccess {
  switch (event.type) {
    case 'ModelAccessGranted':
      return { ...access, grants: { ...access.grants, [event.data.subject]: event.data.permission } };
    case 'ModelAccessRevoked':
      return { ...access, grants: Object.fromEntries(Object.entries(access.grants).filter(([subject]) => subject !== event.data.subject)) };
    case 'ModelVisibilityChanged':
      return { ...access, visibility: event.data.visibility };
  }
}

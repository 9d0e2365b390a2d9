import { EVERY_READER, subjectsOf } from '@mreg/shared/contracts';
import type { Principal } from '@mreg/shared/contracts';
import type { BoundFilter } from '@mreg/shared/query';
import { and } from './list-query';

const MODEL_ID = { name: 'modelId', path: ['modelId'], type: 'string' } as const;

/** Matches no document: a credential limited to no model reads nothing. */
const NOTHING: BoundFilter = { kind: 'compare', field: MODEL_ID, op: '=', value: '' };

/**
 * The models a principal may read, as a filter over the model documents, which carry their `readers` (decision
 * 32): every list and search of models adds it to its scope, and lists of what belongs to models (versions,
 * requests, history) ask the models first, so that no item, count or page token reveals a model the caller cannot
 * read. Undefined: no restriction (an admin's own credential).
 */
export function readableBy(principal: Principal): BoundFilter | undefined {
  const scoped = modelsOf(principal);
  if (principal.roles.includes('admin')) return scoped;
  const readers = [EVERY_READER, ...subjectsOf(principal)].map((key): BoundFilter => ({ kind: 'compare', field: { name: `readers.${key}`, path: ['readers', key], type: 'number' }, op: '=', value: 1 }));
  const anyReader = readers.reduce((left, right) => ({ kind: 'or', left, right }));
  return and(scoped, anyReader);
}

/** The models a scoped credential is limited to, as a filter on `modelId` (undefined when it is not limited). */
export function modelsOf(principal: Principal): BoundFilter | undefined {
  if (principal.models === undefined) return undefined;
  if (principal.models.length === 0) return NOTHING;
  return { kind: 'in', field: MODEL_ID, values: [...principal.models] };
}

/** A page token's scope key per reader, so that one caller's page tokens never continue another's list. */
export function readerKey(principal: Principal): string {
  return principal.roles.includes('admin') && principal.models === undefined ? 'all' : `${principal.user}:${principal.groups?.length ?? 0}:${principal.models?.length ?? -1}`;
}

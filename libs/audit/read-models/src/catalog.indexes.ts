import type { IndexKey, ReadStore } from '@mreg/platform/read-store';
import type { FieldType } from '@mreg/shared/query';
import { COLLECTIONS } from './catalog.documents';

/** An index the catalog's queries need, and the queries it serves. */
export interface ReadModelIndex {
  readonly collection: string;
  readonly keys: readonly IndexKey[];
  readonly serves: string;
}

/** A top-level field of a read-model document, as the queries read it (list-query's eq(), the filter schemas). */
const asc = (name: string, type: FieldType = 'string'): IndexKey => ({ path: [name], type });
const desc = (name: string, type: FieldType = 'string'): IndexKey => ({ path: [name], type, direction: 'desc' });

/**
 * The indexes behind every default list order and every lookup of CatalogQueries and the projections, so that none
 * of them reads a whole collection (issue 9: flat as the registry grows). Each ends in the document id (the
 * adapters append it), the order ties are broken in. The `status` of models and versions leads none of them: it
 * barely narrows anything (nearly all are active), and without statistics SQLite takes any equality on an index
 * for a selective one, so such an index would be chosen over the model's.
 *
 * Orders a client picks (`orderBy=updatedAt`) and filters on fields no index starts with (tags, params,
 * metrics, descriptions) still read the candidates in the best index's order, within the read budget.
 */
export const READ_MODEL_INDEXES: readonly ReadModelIndex[] = [
  { collection: COLLECTIONS.models, keys: [asc('name')], serves: 'models by name (the default order), a name, a name prefix (LIKE)' },
  { collection: COLLECTIONS.models, keys: [desc('deletedAt')], serves: 'deleted models, latest deletion first' },
  { collection: COLLECTIONS.versions, keys: [asc('modelId'), desc('version', 'number')], serves: "a model's versions, newest first (the default order); all ids of a model's versions (rename, deletion)" },
  { collection: COLLECTIONS.versions, keys: [asc('modelId'), asc('stage'), desc('version', 'number')], serves: "a model's versions in a stage; the latest version per stage" },
  { collection: COLLECTIONS.versions, keys: [asc('modelId'), desc('createdAt', 'timestamp')], serves: "a model's versions, latest registered first (orderBy=createdAt desc)" },
  { collection: COLLECTIONS.versions, keys: [desc('createdAt', 'timestamp')], serves: 'versions of all models, newest first (the default order)' },
  { collection: COLLECTIONS.versions, keys: [asc('modelName'), asc('nameOrder')], serves: "MLflow's version search by model name, in its default order" },
  { collection: COLLECTIONS.versions, keys: [asc('nameOrder')], serves: "MLflow's version search without a name, in its default order" },
  { collection: COLLECTIONS.transitions, keys: [desc('requestedAt', 'timestamp')], serves: 'transition requests, newest first (the default order)' },
  { collection: COLLECTIONS.transitions, keys: [asc('status'), desc('requestedAt', 'timestamp')], serves: 'transition requests in a status (the inbox), newest first' },
  { collection: COLLECTIONS.transitions, keys: [asc('modelId'), desc('requestedAt', 'timestamp')], serves: "a model's transition requests, newest first" },
  { collection: COLLECTIONS.audit, keys: [asc('modelId'), asc('seq', 'number')], serves: "a model's history in log order (the default order)" },
  { collection: COLLECTIONS.audit, keys: [asc('modelId'), asc('version', 'number'), asc('seq', 'number')], serves: "a version's history in log order" },
  { collection: COLLECTIONS.audit, keys: [desc('seq', 'number')], serves: 'the registry-wide history, newest first (the default order)' },
];

/**
 * Creates the catalog's indexes in `store` (idempotent; a no-op for an adapter without indexes). Run by the
 * service that projects the read models, before it projects, and by a replay before it rebuilds. Building one on a
 * large existing collection takes a while, once.
 */
export async function ensureReadModelIndexes(store: ReadStore): Promise<void> {
  if (store.ensureIndex === undefined) return;
  for (const index of READ_MODEL_INDEXES) await store.ensureIndex(index.collection, index.keys);
}

import type { FilterSchema } from '@mreg/shared/query';

const text = (path: string) => ({ path: [path], type: 'string' as const });
const num = (path: string) => ({ path: [path], type: 'number' as const });
const time = (path: string) => ({ path: [path], type: 'timestamp' as const });

/** The fields each list endpoint filters and sorts on (the one grammar, per collection). */
export const MODEL_FILTER: FilterSchema = {
  fields: {
    name: text('name'),
    description: text('description'),
    createdBy: text('createdBy'),
    updatedBy: text('updatedBy'),
    createdAt: time('createdAt'),
    updatedAt: time('updatedAt'),
    latestVersion: num('latestVersion'),
    versionCount: num('versionCount'),
  },
  prefixes: { tags: text('tags'), aliases: num('aliases') },
};

/** Deleted models: a model's fields, and when and by whom it was deleted. */
export const DELETED_MODEL_FILTER: FilterSchema = { ...MODEL_FILTER, fields: { ...MODEL_FILTER.fields, deletedAt: time('deletedAt'), deletedBy: text('deletedBy') } };

export const VERSION_FILTER: FilterSchema = {
  fields: {
    name: text('modelName'),
    model: text('modelName'),
    description: text('description'),
    stage: text('stage'),
    version: num('version'),
    runId: text('runId'),
    source: text('source'),
    createdBy: text('createdBy'),
    updatedBy: text('updatedBy'),
    createdAt: time('createdAt'),
    updatedAt: time('updatedAt'),
    stageChangedAt: time('stageChangedAt'),
    /** name ascending then version descending (MLflow's default order of a version search). */
    nameOrder: text('nameOrder'),
    'lineage.codeCommit': { path: ['lineage', 'codeCommit'], type: 'string' },
    'lineage.codeRepository': { path: ['lineage', 'codeRepository'], type: 'string' },
    'lineage.pipeline': { path: ['lineage', 'pipeline'], type: 'string' },
  },
  prefixes: { tags: text('tags'), params: text('params'), metrics: num('metrics') },
};

export const TRANSITION_FILTER: FilterSchema = {
  fields: {
    status: text('status'),
    name: text('modelName'),
    model: text('modelName'),
    version: num('version'),
    stage: text('toStage'),
    toStage: text('toStage'),
    fromStage: text('fromStage'),
    requestedBy: text('requestedBy'),
    createdBy: text('requestedBy'),
    requestedAt: time('requestedAt'),
    createdAt: time('requestedAt'),
    updatedAt: time('updatedAt'),
  },
};

export const HISTORY_FILTER: FilterSchema = {
  fields: {
    type: text('type'),
    actor: text('actor'),
    createdBy: text('actor'),
    version: num('version'),
    occurredAt: time('occurredAt'),
    createdAt: time('occurredAt'),
    correlationId: text('correlationId'),
  },
};

/** History pages also sort on the position in the log. */
export const HISTORY_PAGE_FILTER: FilterSchema = { fields: { ...HISTORY_FILTER.fields, seq: num('seq') } };

import { Inject, Injectable } from '@nestjs/common';
import { DomainError, experimentNameKey, streams } from '@mreg/shared/contracts';
import type { DatasetRef, MetricPoint } from '@mreg/shared/contracts';
import { READ_STORE } from '@mreg/platform/read-store';
import type { ReadCollection, ReadStore } from '@mreg/platform/read-store';
import { EventSourcedRepository } from '@mreg/platform/runtime';
import { PageTokenError, bindFilter, decodePageToken, encodePageToken, queryFingerprint } from '@mreg/shared/query';
import type { FilterNode, FilterSchema, Literal } from '@mreg/shared/query';
import { DEFAULT_EXPERIMENT_ID, experimentDecider, experimentNameDecider, factsOfRun, joinTreePath, loggedModelDecider, ownerOfTreePath, parseRegistrationSource, runDecider, treePathOf } from '@mreg/tracking/domain';
import type { ExperimentState, LoggedModelState, RunState } from '@mreg/tracking/domain';
import { TrackingCommands, loggedModelNotFound, runNotFound } from './tracking.commands';
import { TRACKING_COLLECTIONS } from './tracking-index.projection';
import type { ExperimentDoc, LoggedModelDoc, RunDoc } from './tracking-index.projection';

export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

export interface SearchRequest {
  /** A filter already parsed (MLflow's syntax is the caller's business), over the fields of the entity's schema. */
  readonly filter?: FilterNode;
  /** A field of the entity's schema (ties by id); by id when absent. */
  readonly orderBy?: { readonly field: string; readonly direction: 'asc' | 'desc' };
  readonly pageSize: number;
  readonly pageToken?: string;
}

export interface SearchPage<T> {
  readonly items: T[];
  readonly nextPageToken?: string;
}

/** What a version registered from MLflow takes from the run or logged model behind its source. */
export interface RegistrationFacts {
  runId?: string;
  loggedModelId?: string;
  /** Path in the artifact tree of the version's files, when they were uploaded through the artifact proxy. */
  artifactSource?: string;
  params: Record<string, string>;
  metrics: Record<string, number>;
  runTags: Record<string, string>;
  lineage: { datasets: DatasetRef[]; codeRepository?: string; codeCommit?: string; pipeline?: string };
}

const text = (path: string) => ({ path: [path], type: 'string' as const });
const num = (path: string) => ({ path: [path], type: 'number' as const });

export const EXPERIMENT_FIELDS: FilterSchema = {
  fields: { name: text('name'), lifecycle: text('lifecycle'), creationTime: num('creationTime'), lastUpdateTime: num('lastUpdateTime'), id: text('id') },
  prefixes: { tags: { path: ['tags'], type: 'string' } },
};
export const RUN_FIELDS: FilterSchema = {
  fields: {
    runName: text('runName'),
    status: text('status'),
    lifecycle: text('lifecycle'),
    userId: text('userId'),
    startTime: num('startTime'),
    endTime: num('endTime'),
    artifactUri: text('artifactUri'),
    experimentId: text('experimentId'),
    id: text('id'),
  },
  prefixes: {
    tags: { path: ['tags'], type: 'string' },
    params: { path: ['params'], type: 'string' },
    metrics: { path: ['metrics'], type: 'number' },
    // The same latest values read as text: only a NaN ('NaN') is text there.
    metricsNaN: { path: ['metrics'], type: 'string' },
  },
};
export const LOGGED_MODEL_FIELDS: FilterSchema = {
  fields: {
    name: text('name'),
    status: text('status'),
    lifecycle: text('lifecycle'),
    modelType: text('modelType'),
    sourceRunId: text('sourceRunId'),
    creationTime: num('creationTime'),
    lastUpdatedTime: num('lastUpdatedTime'),
    experimentId: text('experimentId'),
    id: text('id'),
  },
  prefixes: { tags: { path: ['tags'], type: 'string' } },
};

const eq = (field: string, value: Literal): FilterNode => ({ kind: 'compare', field, op: '=', value });
const anyOf = (field: string, values: readonly string[]): FilterNode => ({ kind: 'in', field, values });
const and = (...nodes: (FilterNode | undefined)[]): FilterNode | undefined => nodes.filter((n): n is FilterNode => n !== undefined).reduce<FilterNode | undefined>((acc, n) => (acc ? { kind: 'and', left: acc, right: n } : n), undefined);
/** Documents holding a value of the field's type (numbers: every stored number, infinities being ±MAX_VALUE). */
function holdsValue(field: string, schema: FilterSchema): FilterNode {
  const bound = bindFilter({ kind: 'compare', field, op: '=', value: 0 }, schema);
  if (bound.kind !== 'compare') throw new Error('unreachable');
  return bound.field.type === 'string' ? { kind: 'like', field, pattern: '%', caseInsensitive: false } : { kind: 'compare', field, op: '>=', value: -Number.MAX_VALUE };
}
const lifecycleScope = (view: ViewType): FilterNode | undefined => (view === 'ALL' ? undefined : eq('lifecycle', view === 'ACTIVE_ONLY' ? 'active' : 'deleted'));

/**
 * Reads of the tracking context straight from the log (experiments, runs and logged models are small streams);
 * searches enumerate ids through the tracking index, then read each entity from its stream.
 */
@Injectable()
export class TrackingQueries {
  constructor(
    private readonly repository: EventSourcedRepository,
    private readonly commands: TrackingCommands,
    @Inject(READ_STORE) private readonly store: ReadStore,
  ) {}

  async experiment(experimentId: string): Promise<ExperimentState> {
    if (experimentId === DEFAULT_EXPERIMENT_ID) await this.commands.ensureDefaultExperiment();
    const state = (await this.repository.load(streams.experiment(experimentId), experimentDecider)).state;
    if (!state.exists) throw new DomainError('NOT_FOUND', `No Experiment with id=${experimentId} exists`, { experimentId });
    return state;
  }

  async experimentByName(name: string): Promise<ExperimentState> {
    await this.commands.ensureDefaultExperiment();
    const holder = (await this.repository.load(streams.experimentName(experimentNameKey(name)), experimentNameDecider)).state.holder;
    const state = holder === undefined ? undefined : (await this.repository.load(streams.experiment(holder), experimentDecider)).state;
    if (!state?.exists || state.name !== name) throw new DomainError('NOT_FOUND', `Could not find experiment with name '${name}'`, { name });
    return state;
  }

  async run(runId: string): Promise<RunState> {
    const state = (await this.repository.load(streams.run(runId), runDecider)).state;
    if (!state.exists) throw runNotFound(runId);
    return state;
  }

  /**
   * The values of one metric ordered by timestamp, step and value, as MLflow's store answers. A value logged
   * again with the same timestamp and step (MLflow 3 clients re-log a model's metrics with its id) is one point,
   * as in MLflow's own store. Without `pageSize` every value in one answer, as MLflow does.
   */
  async metricHistory(runId: string, key: string, page: { pageSize?: number; pageToken?: string } = {}): Promise<SearchPage<MetricPoint>> {
    const seen = new Set<string>();
    const points = (await this.run(runId)).metrics.filter((m) => {
      const id = JSON.stringify([m.timestamp, m.step, m.value]);
      if (m.key !== key || seen.has(id)) return false;
      seen.add(id);
      return true;
    });
    const sorted = points
      .map((m, i) => ({ m, i }))
      .sort((a, b) => a.m.timestamp - b.m.timestamp || a.m.step - b.m.step || compareMetricValues(a.m.value, b.m.value) || a.i - b.i)
      .map(({ m }) => m);
    // An offset into that order, as MLflow's token, bound to the run and key.
    const fingerprint = queryFingerprint(['metric-history', runId, key]);
    const offset = page.pageToken ? offsetOf(decodePageToken(page.pageToken, fingerprint)) : 0;
    if (page.pageSize === undefined) return { items: sorted.slice(offset) };
    const items = sorted.slice(offset, offset + page.pageSize);
    const next = offset + page.pageSize;
    return { items, ...(next < sorted.length ? { nextPageToken: encodePageToken({ value: next, id: '' }, fingerprint) } : {}) };
  }

  /** A logged model and the metrics logged for it in its source run. */
  async loggedModel(loggedModelId: string): Promise<{ model: LoggedModelState; metrics: (MetricPoint & { runId: string })[] }> {
    const model = (await this.repository.load(streams.loggedModel(loggedModelId), loggedModelDecider)).state;
    if (!model.exists || model.deleted) throw loggedModelNotFound(loggedModelId);
    const run = model.sourceRunId ? (await this.repository.load(streams.run(model.sourceRunId), runDecider)).state : undefined;
    const metrics = (run?.metrics ?? []).filter((m) => m.loggedModelId === loggedModelId).map((m) => ({ ...m, runId: run?.runId ?? '' }));
    return { model, metrics };
  }

  async searchExperiments(view: ViewType, request: SearchRequest): Promise<SearchPage<ExperimentState>> {
    await this.commands.ensureDefaultExperiment();
    const page = await searchIndex(this.store.collection<ExperimentDoc>(TRACKING_COLLECTIONS.experiments), EXPERIMENT_FIELDS, and(lifecycleScope(view), request.filter), request, 'experiments');
    return { ...page, items: await Promise.all(page.items.map((d) => this.experiment(d.id))) };
  }

  /**
   * Runs in MLflow's order: by `orderBy` (ties by id), runs without that value last in both directions (after
   * those holding a NaN, for a metric) and newest first among them; by start time, newest first, by default.
   */
  async searchRuns(experimentIds: readonly string[], view: ViewType, request: SearchRequest): Promise<SearchPage<RunState>> {
    const newestFirst = { field: 'startTime', direction: 'desc' } as const;
    const order = request.orderBy ?? newestFirst;
    const phases: SearchPhase[] = [];
    if (order.field === 'startTime' || order.field === 'id') {
      phases.push({ order });
    } else {
      const present = holdsValue(order.field, RUN_FIELDS);
      const nan: FilterNode | undefined = order.field.startsWith('metrics.') ? eq(`metricsNaN.${order.field.slice('metrics.'.length)}`, 'NaN') : undefined;
      phases.push({ filter: present, order });
      if (nan) phases.push({ filter: nan, order: newestFirst });
      phases.push({ filter: { kind: 'not', filter: nan ? { kind: 'or', left: present, right: nan } : present }, order: newestFirst });
    }
    const page = await searchInPhases(
      this.store.collection<RunDoc>(TRACKING_COLLECTIONS.runs),
      RUN_FIELDS,
      and(anyOf('experimentId', experimentIds), lifecycleScope(view), request.filter),
      phases,
      request,
      `runs:${experimentIds.join(',')}`,
    );
    return { ...page, items: await Promise.all(page.items.map((d) => this.run(d.id))) };
  }

  async searchLoggedModels(experimentIds: readonly string[], request: SearchRequest) {
    const page = await searchIndex(
      this.store.collection<LoggedModelDoc>(TRACKING_COLLECTIONS.loggedModels),
      LOGGED_MODEL_FIELDS,
      and(anyOf('experimentId', experimentIds), eq('lifecycle', 'active'), request.filter),
      request,
      `logged-models:${experimentIds.join(',')}`,
    );
    return { ...page, items: await Promise.all(page.items.map((d) => this.loggedModel(d.id))) };
  }

  /**
   * The facts of a version registered from MLflow with `source`:
   * - `runs:/<run>/<path>`: the run's; files at `<run artifact root>/<path>`;
   * - `models:/<m-id>`: the logged model's params and metrics plus its source run's; files at its artifact location;
   * - `mlflow-artifacts:/<tree path>`: those files, and the facts of the run or logged model owning the path;
   * - anything else: no facts, no files.
   * The run and logged model ids passed alongside (MLflow's `run_id`, `model_id`) win over what the source implies.
   * Lineage: codeCommit from `mlflow.source.git.commit`, codeRepository from `mlflow.source.git.repoURL`,
   * pipeline from `mlflow.source.name` (the entry point that ran), datasets from the run's logged inputs.
   * An unknown run or logged model is NOT_FOUND.
   */
  async resolveRegistrationSource(input: { source: string; runId?: string; modelId?: string }): Promise<RegistrationFacts> {
    const parsed = parseRegistrationSource(input.source);
    let runId = input.runId;
    let loggedModelId = input.modelId;
    let artifactSource: string | undefined;
    switch (parsed.kind) {
      case 'run': {
        runId ??= parsed.runId;
        const run = await this.run(parsed.runId);
        const root = treePathOf(run.artifactUri);
        if (root !== undefined) artifactSource = joinTreePath(root, parsed.path);
        break;
      }
      case 'logged-model': {
        loggedModelId ??= parsed.loggedModelId;
        const { model } = await this.loggedModel(parsed.loggedModelId);
        artifactSource = treePathOf(model.artifactLocation);
        break;
      }
      case 'tree': {
        artifactSource = parsed.treePath === '' ? undefined : parsed.treePath;
        const owner = ownerOfTreePath(parsed.treePath);
        if (owner && 'runId' in owner) runId ??= (await this.runIfAny(owner.runId))?.runId;
        if (owner && 'loggedModelId' in owner) loggedModelId ??= (await this.loggedModelIfAny(owner.loggedModelId))?.loggedModelId;
        break;
      }
      case 'other':
        break;
    }
    const facts: RegistrationFacts = { params: {}, metrics: {}, runTags: {}, lineage: { datasets: [] } };
    if (loggedModelId !== undefined) {
      const { model, metrics } = await this.loggedModel(loggedModelId);
      runId ??= model.sourceRunId;
      Object.assign(facts.params, model.params);
      for (const m of metrics) if (typeof m.value === 'number' && Number.isFinite(m.value)) facts.metrics[m.key] = m.value;
    }
    if (runId !== undefined) {
      const run = factsOfRun(await this.run(runId));
      // The logged model's own params and metrics win over its run's.
      Object.assign(facts, { params: { ...run.params, ...facts.params }, metrics: { ...run.metrics, ...facts.metrics }, runTags: run.runTags, lineage: run.lineage });
    }
    return { ...(runId !== undefined ? { runId } : {}), ...(loggedModelId !== undefined ? { loggedModelId } : {}), ...(artifactSource !== undefined ? { artifactSource } : {}), ...facts };
  }

  private async runIfAny(runId: string): Promise<RunState | undefined> {
    const state = (await this.repository.load(streams.run(runId), runDecider)).state;
    return state.exists ? state : undefined;
  }

  private async loggedModelIfAny(loggedModelId: string): Promise<LoggedModelState | undefined> {
    const state = (await this.repository.load(streams.loggedModel(loggedModelId), loggedModelDecider)).state;
    return state.exists && !state.deleted ? state : undefined;
  }
}

/** MLflow's order of metric values: its store keeps a NaN as 0 (flagged), so it sorts as 0. */
function compareMetricValues(a: MetricPoint['value'], b: MetricPoint['value']): number {
  const [x, y] = [Number(a), Number(b)].map((n) => (Number.isNaN(n) ? 0 : n));
  return x < y ? -1 : x > y ? 1 : 0;
}

function offsetOf(cursor: { value: string | number | null }): number {
  if (typeof cursor.value !== 'number' || !Number.isSafeInteger(cursor.value) || cursor.value < 0) throw new PageTokenError('invalid page token');
  return cursor.value;
}

/** One part of a search's order: the documents matching `filter`, sorted by `order` (ties by id). */
interface SearchPhase {
  readonly filter?: FilterNode;
  readonly order: { readonly field: string; readonly direction: 'asc' | 'desc' };
}

/** A keyset page of index documents (ties broken by id), with a token bound to the query. */
function searchIndex<D extends { id: string }>(collection: ReadCollection<D>, schema: FilterSchema, filter: FilterNode | undefined, request: SearchRequest, scopeKey: string): Promise<SearchPage<D>> {
  return searchInPhases(collection, schema, filter, [{ order: request.orderBy ?? { field: 'id', direction: 'asc' } }], request, scopeKey);
}

/**
 * A keyset page over phases run one after the other (a page may span two), so that one search can order what
 * the read store's single sort key cannot, e.g. runs without the sort key last in both directions. The token
 * names its phase through the query it continues: a cursor inside phase k, or the start of phase k.
 */
async function searchInPhases<D extends { id: string }>(collection: ReadCollection<D>, schema: FilterSchema, scope: FilterNode | undefined, phases: readonly SearchPhase[], request: SearchRequest, scopeKey: string): Promise<SearchPage<D>> {
  const bound = phases.map((phase) => {
    const sortField = bindFilter({ kind: 'compare', field: phase.order.field, op: '=', value: 0 }, schema);
    if (sortField.kind !== 'compare') throw new Error('unreachable');
    const filter = and(scope, phase.filter);
    return { filter: filter ? bindFilter(filter, schema) : undefined, sort: { field: sortField.field, direction: phase.order.direction } };
  });
  const base = [scopeKey, JSON.stringify(scope ?? null), JSON.stringify(phases)];
  const inside = (k: number) => queryFingerprint([...base, String(k)]);
  const start = (k: number) => queryFingerprint([...base, `${k}:start`]);
  let phase = 0;
  let after: { value: string | number | null; id: string } | undefined;
  if (request.pageToken) ({ phase, after } = decodePhaseToken(request.pageToken, phases.length, inside, start));
  const items: D[] = [];
  for (; phase < bound.length; phase++, after = undefined) {
    const { filter, sort } = bound[phase];
    const page = await collection.find({ ...(filter ? { filter } : {}), sort, limit: request.pageSize - items.length, ...(after ? { after } : {}) });
    items.push(...page.items);
    if (page.next) return { items, nextPageToken: encodePageToken(page.next, inside(phase)) };
    if (items.length < request.pageSize) continue;
    // The page is full at the end of a phase: a token only when a later phase has more.
    for (let later = phase + 1; later < bound.length; later++) {
      const { filter: laterFilter, sort: laterSort } = bound[later];
      const probe = await collection.find({ ...(laterFilter ? { filter: laterFilter } : {}), sort: laterSort, limit: 1 });
      if (probe.items.length > 0) return { items, nextPageToken: encodePageToken({ value: null, id: '' }, start(later)) };
    }
    return { items };
  }
  return { items };
}

function decodePhaseToken(token: string, phases: number, inside: (k: number) => string, start: (k: number) => string): { phase: number; after?: { value: string | number | null; id: string } } {
  for (let k = 0; k < phases; k++) {
    for (const [fingerprint, isStart] of [
      [inside(k), false],
      [start(k), true],
    ] as const) {
      try {
        const cursor = decodePageToken(token, fingerprint);
        return isStart ? { phase: k } : { phase: k, after: cursor };
      } catch (error) {
        if (!(error instanceof PageTokenError)) throw error;
      }
    }
  }
  throw new PageTokenError('invalid page token');
}

import type { Decider } from '@mreg/shared/contracts';
import { DomainError, unknownCommand, unknownEvent } from '@mreg/shared/contracts';
import type { Command, DatasetInput, MetricPoint, RunEvent, RunStatus, Tags } from '@mreg/shared/contracts';
import type { Lifecycle } from './experiment.decider';
import {
  MAX_DATASET_DIGEST_LENGTH,
  MAX_DATASET_NAME_LENGTH,
  MAX_DATASET_SCHEMA_LENGTH,
  MAX_DATASET_SOURCE_LENGTH,
  MAX_ENTITIES_PER_BATCH,
  MAX_INPUT_TAG_KEY_LENGTH,
  MAX_INPUT_TAG_VALUE_LENGTH,
  MAX_METRICS_PER_BATCH,
  MAX_PARAMS_TAGS_PER_BATCH,
  MAX_RUN_NAME_LENGTH,
  checkEpochMillis,
  checkKey,
  checkLength,
  checkMetricValue,
  checkParam,
  checkStep,
  checkTag,
} from './tracking-rules';

// Stream run-<runId>: one MLflow run: params (set once per key), metric history, tags, status, inputs (datasets,
// logged models) and outputs (logged models). The run name is also the tag `mlflow.runName`, as in MLflow.

export const RUN_NAME_TAG = 'mlflow.runName';

export interface KeyValue {
  readonly key: string;
  readonly value: string;
}

export type CreateRun = Command<
  'CreateRun',
  {
    runId: string;
    experimentId: string;
    /** The experiment's lifecycle as the caller found it; null when it does not exist. */
    experimentLifecycle: Lifecycle | null;
    userId: string;
    runName: string;
    startTime: number;
    tags: readonly KeyValue[];
    artifactUri: string;
  }
>;
export type LogRunBatch = Command<'LogRunBatch', { params: readonly KeyValue[]; metrics: readonly MetricPoint[]; tags: readonly KeyValue[] }>;
export type DeleteRunTag = Command<'DeleteRunTag', { key: string }>;
export type UpdateRun = Command<'UpdateRun', { status?: RunStatus; endTime?: number; runName?: string }>;
export type LogRunInputs = Command<'LogRunInputs', { datasets: readonly DatasetInput[]; loggedModelIds: readonly string[] }>;
export type LogRunOutputs = Command<'LogRunOutputs', { models: readonly { loggedModelId: string; step: number }[] }>;
export type DeleteRun = Command<'DeleteRun', { at: number }>;
export type RestoreRun = Command<'RestoreRun', { at: number }>;
export type RunCommand = CreateRun | LogRunBatch | DeleteRunTag | UpdateRun | LogRunInputs | LogRunOutputs | DeleteRun | RestoreRun;

export interface RunState {
  readonly exists: boolean;
  readonly runId: string;
  readonly experimentId: string;
  readonly userId: string;
  readonly runName: string;
  readonly status: RunStatus;
  readonly startTime: number;
  readonly endTime?: number;
  readonly artifactUri: string;
  readonly lifecycle: Lifecycle;
  readonly deletedAt?: number;
  readonly params: Tags;
  readonly tags: Tags;
  /** Every logged value in logging order (the metric history). */
  readonly metrics: readonly MetricPoint[];
  readonly datasets: readonly DatasetInput[];
  readonly inputModelIds: readonly string[];
  readonly outputs: readonly { loggedModelId: string; step: number }[];
}

export const initialRunState: RunState = {
  exists: false,
  runId: '',
  experimentId: '',
  userId: '',
  runName: '',
  status: 'RUNNING',
  startTime: 0,
  artifactUri: '',
  lifecycle: 'active',
  params: {},
  tags: {},
  metrics: [],
  datasets: [],
  inputModelIds: [],
  outputs: [],
};

function invalid(message: string, details?: Record<string, unknown>): never {
  throw new DomainError('INVALID_ARGUMENT', message, details);
}

function requireRun(state: RunState): void {
  if (!state.exists) throw new DomainError('NOT_FOUND', 'Run not found');
}

function requireActive(state: RunState): void {
  requireRun(state);
  if (state.lifecycle !== 'active') invalid(`The run ${state.runId} must be in the 'active' state. Current state is ${state.lifecycle}.`);
}

function checkRunName(name: string): void {
  checkLength('run_name', name, MAX_RUN_NAME_LENGTH);
}

/**
 * Whether a value logged after `current` replaces it as the latest: a higher step, then a later timestamp, then
 * a value not smaller (so of equal ones, the later logged wins).
 */
export function metricOutranks(candidate: Pick<MetricPoint, 'step' | 'timestamp' | 'value'>, current: Pick<MetricPoint, 'step' | 'timestamp' | 'value'>): boolean {
  if (candidate.step !== current.step) return candidate.step > current.step;
  if (candidate.timestamp !== current.timestamp) return candidate.timestamp > current.timestamp;
  return !(Number(candidate.value) < Number(current.value));
}

/** The metric value MLflow reports per key: the one with the highest step, then timestamp, then value. */
export function latestMetrics(state: RunState): MetricPoint[] {
  const latest = new Map<string, MetricPoint>();
  for (const m of state.metrics) {
    const current = latest.get(m.key);
    if (current === undefined || metricOutranks(m, current)) latest.set(m.key, m);
  }
  return [...latest.values()];
}

function newParams(state: RunState, params: readonly KeyValue[]): Tags {
  const submitted = new Map<string, string>();
  for (const { key, value } of params) {
    checkParam(key, value);
    const earlier = submitted.get(key);
    if (earlier !== undefined && earlier !== value) invalid(`Duplicate parameter keys have been submitted: ['${key}']. Please ensure the request contains only one param value per param key.`);
    submitted.set(key, value);
  }
  const fresh: Record<string, string> = {};
  for (const [key, value] of submitted) {
    const logged = state.params[key];
    if (logged === undefined) {
      fresh[key] = value;
    } else if (logged !== value) {
      invalid(`Changing param values is not allowed. Param with key='${key}' was already logged with value='${logged}' for run ID='${state.runId}'. Attempted logging new value '${value}'.`, { key, loggedValue: logged, runId: state.runId });
    }
  }
  return fresh;
}

function checkMetrics(metrics: readonly MetricPoint[]): void {
  for (const m of metrics) {
    checkKey('key', m.key);
    checkMetricValue(m.key, m.value);
    checkEpochMillis('timestamp', m.timestamp);
    checkStep(m.key, m.step);
  }
}

function tagsOf(tags: readonly KeyValue[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const { key, value } of tags) {
    checkTag(key, value);
    map[key] = value;
  }
  return map;
}

function checkDataset(input: DatasetInput): void {
  const d = input.dataset;
  if (d.name.length === 0) invalid('Dataset name must not be empty');
  checkLength('Dataset name', d.name, MAX_DATASET_NAME_LENGTH);
  if (d.digest.length === 0) invalid('Dataset digest must not be empty');
  checkLength('Dataset digest', d.digest, MAX_DATASET_DIGEST_LENGTH);
  checkLength('Dataset source', d.source, MAX_DATASET_SOURCE_LENGTH);
  if (d.schema !== undefined) checkLength('Dataset schema', d.schema, MAX_DATASET_SCHEMA_LENGTH);
  for (const [key, value] of Object.entries(input.tags)) {
    checkLength('Input tag key', key, MAX_INPUT_TAG_KEY_LENGTH);
    checkLength('Input tag value', value, MAX_INPUT_TAG_VALUE_LENGTH);
  }
}

const sameDataset = (a: DatasetInput, b: DatasetInput) => a.dataset.name === b.dataset.name && a.dataset.digest === b.dataset.digest && JSON.stringify(a.tags) === JSON.stringify(b.tags);

export function decideRun(command: RunCommand, state: RunState): RunEvent[] {
  switch (command.type) {
    case 'CreateRun': {
      const { runId, experimentId, experimentLifecycle, userId, runName, startTime, tags, artifactUri } = command.data;
      if (state.exists) throw new DomainError('ALREADY_EXISTS', `Run with id=${runId} already exists.`);
      if (experimentLifecycle === null) throw new DomainError('NOT_FOUND', `No Experiment with id=${experimentId} exists`);
      if (experimentLifecycle !== 'active') invalid(`The experiment ${experimentId} must be in the 'active' state. Current state is ${experimentLifecycle}.`);
      checkEpochMillis('start_time', startTime);
      checkRunName(runName);
      const tagMap = tagsOf(tags);
      const tagged = tagMap[RUN_NAME_TAG];
      if (tagged !== undefined && tagged !== runName) {
        invalid(`Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${runName}', mlflow.runName='${tagged}').`);
      }
      return [{ type: 'RunCreated', data: { runId, experimentId, userId, runName, startTime, tags: { ...tagMap, [RUN_NAME_TAG]: runName }, artifactUri } }];
    }
    case 'LogRunBatch': {
      requireActive(state);
      const { params, metrics, tags } = command.data;
      if (params.length > MAX_PARAMS_TAGS_PER_BATCH) invalid(`A batch logging request can contain at most ${MAX_PARAMS_TAGS_PER_BATCH} params. Got ${params.length} params.`);
      if (tags.length > MAX_PARAMS_TAGS_PER_BATCH) invalid(`A batch logging request can contain at most ${MAX_PARAMS_TAGS_PER_BATCH} tags. Got ${tags.length} tags.`);
      if (metrics.length > MAX_METRICS_PER_BATCH) invalid(`A batch logging request can contain at most ${MAX_METRICS_PER_BATCH} metrics. Got ${metrics.length} metrics.`);
      const total = params.length + metrics.length + tags.length;
      if (total > MAX_ENTITIES_PER_BATCH) invalid(`A batch logging request can contain at most ${MAX_ENTITIES_PER_BATCH} metrics, params, and tags in total. Got ${total} total.`);
      const fresh = newParams(state, params);
      checkMetrics(metrics);
      const tagMap = tagsOf(tags);
      const runName = tagMap[RUN_NAME_TAG];
      if (runName !== undefined) checkRunName(runName);
      const changedTags = Object.fromEntries(Object.entries(tagMap).filter(([k, v]) => state.tags[k] !== v));
      const events: RunEvent[] = [];
      if (Object.keys(fresh).length > 0) events.push({ type: 'RunParamsLogged', data: { runId: state.runId, params: fresh } });
      if (metrics.length > 0) events.push({ type: 'RunMetricsLogged', data: { runId: state.runId, metrics } });
      if (Object.keys(changedTags).length > 0) events.push({ type: 'RunTagsSet', data: { runId: state.runId, tags: changedTags } });
      return events;
    }
    case 'DeleteRunTag': {
      requireActive(state);
      const { key } = command.data;
      if (state.tags[key] === undefined) throw new DomainError('NOT_FOUND', `No tag with name: ${key} in run with id ${state.runId}`);
      return [{ type: 'RunTagDeleted', data: { runId: state.runId, key } }];
    }
    case 'UpdateRun': {
      requireActive(state);
      const { status, endTime, runName } = command.data;
      if (endTime !== undefined) checkEpochMillis('end_time', endTime);
      if (runName !== undefined) checkRunName(runName);
      const changes = {
        ...(status !== undefined && status !== state.status ? { status } : {}),
        ...(endTime !== undefined && endTime !== state.endTime ? { endTime } : {}),
        ...(runName !== undefined && runName !== '' && runName !== state.runName ? { runName } : {}),
      };
      return Object.keys(changes).length > 0 ? [{ type: 'RunUpdated', data: { runId: state.runId, ...changes } }] : [];
    }
    case 'LogRunInputs': {
      requireActive(state);
      const { datasets, loggedModelIds } = command.data;
      datasets.forEach(checkDataset);
      const freshDatasets = datasets.filter((d, i) => !state.datasets.some((e) => sameDataset(d, e)) && datasets.findIndex((e) => sameDataset(d, e)) === i);
      const freshModels = [...new Set(loggedModelIds)].filter((id) => !state.inputModelIds.includes(id));
      if (freshDatasets.length === 0 && freshModels.length === 0) return [];
      return [{ type: 'RunInputsLogged', data: { runId: state.runId, datasets: freshDatasets, loggedModelIds: freshModels } }];
    }
    case 'LogRunOutputs': {
      requireActive(state);
      const { models } = command.data;
      for (const m of models) if (!Number.isSafeInteger(m.step)) invalid(`Got invalid step ${m.step} for model output ${m.loggedModelId}`);
      const fresh = models.filter((m, i) => !state.outputs.some((o) => o.loggedModelId === m.loggedModelId && o.step === m.step) && models.findIndex((o) => o.loggedModelId === m.loggedModelId && o.step === m.step) === i);
      return fresh.length > 0 ? [{ type: 'RunOutputsLogged', data: { runId: state.runId, models: fresh } }] : [];
    }
    case 'DeleteRun':
      requireRun(state);
      return state.lifecycle === 'deleted' ? [] : [{ type: 'RunDeleted', data: { runId: state.runId, at: command.data.at } }];
    case 'RestoreRun':
      requireRun(state);
      return state.lifecycle === 'active' ? [] : [{ type: 'RunRestored', data: { runId: state.runId, at: command.data.at } }];
    default:
      return unknownCommand(command);
  }
}

export function evolveRun(state: RunState, event: RunEvent): RunState {
  switch (event.type) {
    case 'RunCreated': {
      const { runId, experimentId, userId, runName, startTime, tags, artifactUri } = event.data;
      return { ...initialRunState, exists: true, runId, experimentId, userId, runName, startTime, tags, artifactUri };
    }
    case 'RunParamsLogged':
      return { ...state, params: { ...state.params, ...event.data.params } };
    case 'RunMetricsLogged':
      return { ...state, metrics: [...state.metrics, ...event.data.metrics] };
    case 'RunTagsSet': {
      const runName = event.data.tags[RUN_NAME_TAG];
      return { ...state, tags: { ...state.tags, ...event.data.tags }, ...(runName !== undefined ? { runName } : {}) };
    }
    case 'RunTagDeleted': {
      const { [event.data.key]: _removed, ...tags } = state.tags;
      return { ...state, tags };
    }
    case 'RunUpdated': {
      const { status, endTime, runName } = event.data;
      return {
        ...state,
        ...(status !== undefined ? { status } : {}),
        ...(endTime !== undefined ? { endTime } : {}),
        ...(runName !== undefined ? { runName, tags: { ...state.tags, [RUN_NAME_TAG]: runName } } : {}),
      };
    }
    case 'RunInputsLogged':
      return { ...state, datasets: [...state.datasets, ...event.data.datasets], inputModelIds: [...state.inputModelIds, ...event.data.loggedModelIds] };
    case 'RunOutputsLogged':
      return { ...state, outputs: [...state.outputs, ...event.data.models] };
    case 'RunDeleted':
      return { ...state, lifecycle: 'deleted', deletedAt: event.data.at };
    case 'RunRestored': {
      const { deletedAt: _gone, ...rest } = state;
      return { ...rest, lifecycle: 'active' };
    }
    default:
      return unknownEvent(event, state);
  }
}

export const runDecider = { decide: decideRun, evolve: evolveRun, initialState: initialRunState } satisfies Decider<RunState, RunCommand, RunEvent>;

import type { Event } from './event';
import type { Tags } from './model';

// The tracking context (MLflow's runs, experiments and logged models). Times are epoch milliseconds as MLflow
// clients send and expect them; they travel in the data because clients set some of them (run start and end).

/** MLflow sends NaN and the infinities as these strings (protobuf JSON); every other value is a number. */
export type MetricValue = number | 'NaN' | 'Infinity' | '-Infinity';

export interface MetricPoint {
  readonly key: string;
  readonly value: MetricValue;
  readonly timestamp: number;
  readonly step: number;
  /** The logged model the value describes (MLflow 3), if any. */
  readonly loggedModelId?: string;
  readonly datasetName?: string;
  readonly datasetDigest?: string;
}

export interface TrackedDataset {
  readonly name: string;
  readonly digest: string;
  readonly sourceType: string;
  /** Where the data lives, as MLflow's dataset source JSON (e.g. `{"uri": "s3://..."}`). */
  readonly source: string;
  readonly schema?: string;
  readonly profile?: string;
}

export interface DatasetInput {
  readonly dataset: TrackedDataset;
  readonly tags: Tags;
}

export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
export const RUN_STATUSES: readonly RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];

export type LoggedModelStatus = 'LOGGED_MODEL_PENDING' | 'LOGGED_MODEL_READY' | 'LOGGED_MODEL_UPLOAD_FAILED';

// ---- stream experiment-name-<sha256(name)[0..40]>: unique experiment names ----------------------------
export type ExperimentNameReserved = Event<'ExperimentNameReserved', { name: string; experimentId: string }>;
export type ExperimentNameReleased = Event<'ExperimentNameReleased', { name: string; experimentId: string }>;
export type ExperimentNameEvent = ExperimentNameReserved | ExperimentNameReleased;

// ---- stream experiment-<experimentId> -------------------------------------------------------------------
export type ExperimentCreated = Event<'ExperimentCreated', { experimentId: string; name: string; artifactLocation: string; tags: Tags; at: number }>;
export type ExperimentRenamed = Event<'ExperimentRenamed', { experimentId: string; from: string; to: string; at: number }>;
export type ExperimentTagSet = Event<'ExperimentTagSet', { experimentId: string; key: string; value: string; at: number }>;
export type ExperimentTagDeleted = Event<'ExperimentTagDeleted', { experimentId: string; key: string; at: number }>;
export type ExperimentDeleted = Event<'ExperimentDeleted', { experimentId: string; at: number }>;
export type ExperimentRestored = Event<'ExperimentRestored', { experimentId: string; at: number }>;
export type ExperimentEvent = ExperimentCreated | ExperimentRenamed | ExperimentTagSet | ExperimentTagDeleted | ExperimentDeleted | ExperimentRestored;

// ---- stream run-<runId> ------------------------------------------------------------------------------
export type RunCreated = Event<'RunCreated', { runId: string; experimentId: string; userId: string; runName: string; startTime: number; tags: Tags; artifactUri: string }>;
/** Params are set once per key: a later value for the same key is refused, the same value changes nothing. */
export type RunParamsLogged = Event<'RunParamsLogged', { runId: string; params: Tags }>;
export type RunMetricsLogged = Event<'RunMetricsLogged', { runId: string; metrics: readonly MetricPoint[] }>;
export type RunTagsSet = Event<'RunTagsSet', { runId: string; tags: Tags }>;
export type RunTagDeleted = Event<'RunTagDeleted', { runId: string; key: string }>;
export type RunUpdated = Event<'RunUpdated', { runId: string; status?: RunStatus; endTime?: number; runName?: string }>;
export type RunInputsLogged = Event<'RunInputsLogged', { runId: string; datasets: readonly DatasetInput[]; loggedModelIds: readonly string[] }>;
export type RunOutputsLogged = Event<'RunOutputsLogged', { runId: string; models: readonly { loggedModelId: string; step: number }[] }>;
export type RunDeleted = Event<'RunDeleted', { runId: string; at: number }>;
export type RunRestored = Event<'RunRestored', { runId: string; at: number }>;
export type RunEvent = RunCreated | RunParamsLogged | RunMetricsLogged | RunTagsSet | RunTagDeleted | RunUpdated | RunInputsLogged | RunOutputsLogged | RunDeleted | RunRestored;

// ---- stream logged-model-<loggedModelId>: an MLflow 3 logged model (id `m-<hex>`) ----------------------
export type LoggedModelCreated = Event<
  'LoggedModelCreated',
  {
    loggedModelId: string;
    experimentId: string;
    name: string;
    sourceRunId?: string;
    modelType: string;
    params: Tags;
    tags: Tags;
    artifactLocation: string;
    at: number;
  }
>;
export type LoggedModelParamsLogged = Event<'LoggedModelParamsLogged', { loggedModelId: string; params: Tags; at: number }>;
export type LoggedModelFinalized = Event<'LoggedModelFinalized', { loggedModelId: string; status: Exclude<LoggedModelStatus, 'LOGGED_MODEL_PENDING'>; at: number }>;
export type LoggedModelTagsSet = Event<'LoggedModelTagsSet', { loggedModelId: string; tags: Tags; at: number }>;
export type LoggedModelTagDeleted = Event<'LoggedModelTagDeleted', { loggedModelId: string; key: string; at: number }>;
export type LoggedModelDeleted = Event<'LoggedModelDeleted', { loggedModelId: string; at: number }>;
export type LoggedModelEvent = LoggedModelCreated | LoggedModelParamsLogged | LoggedModelFinalized | LoggedModelTagsSet | LoggedModelTagDeleted | LoggedModelDeleted;

export type TrackingEvent = ExperimentNameEvent | ExperimentEvent | RunEvent | LoggedModelEvent;

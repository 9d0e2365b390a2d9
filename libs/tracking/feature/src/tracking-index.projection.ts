import type { ExperimentEvent, LoggedModelEvent, MetricPoint, MetricValue, RecordedEvent, RunEvent } from '@mreg/shared/contracts';
import { TOPICS, streamCategory } from '@mreg/shared/contracts';
import type { ReadStore } from '@mreg/platform/read-store';
import type { Projection } from '@mreg/platform/runtime';
import { experimentDecider, initialExperimentState, initialLoggedModelState, initialRunState, loggedModelDecider, metricOutranks, runDecider } from '@mreg/tracking/domain';
import type { ExperimentState, LoggedModelState, RunState } from '@mreg/tracking/domain';

// Searches need to enumerate experiments, runs and logged models without scanning the log: one small document
// per entity, the fields searches filter and sort on. The entity itself is then read from its stream (small),
// so what a search returns is never staler than a GET.

export const TRACKING_COLLECTIONS = {
  experiments: 'tracking_experiments',
  runs: 'tracking_runs',
  loggedModels: 'tracking_logged_models',
} as const;

export interface ExperimentDoc {
  readonly id: string;
  readonly name: string;
  readonly lifecycle: string;
  readonly creationTime: number;
  readonly lastUpdateTime: number;
  readonly tags: Readonly<Record<string, string>>;
}

export interface RunDoc {
  readonly id: string;
  readonly experimentId: string;
  readonly runName: string;
  readonly status: string;
  readonly lifecycle: string;
  readonly userId: string;
  readonly startTime: number;
  readonly endTime?: number;
  readonly artifactUri: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly params: Readonly<Record<string, string>>;
  /**
   * The latest value of each metric (MLflow's: highest step, then timestamp, then value), kept as MLflow's store
   * keeps it so filters and sorts run in the read store: infinities as ±Number.MAX_VALUE, NaN as 'NaN'.
   */
  readonly metrics: Readonly<Record<string, number | 'NaN'>>;
  /** Step and timestamp of each latest value, to rank the values logged next. */
  readonly metricPositions: Readonly<Record<string, readonly [number, number]>>;
}

export interface LoggedModelDoc {
  readonly id: string;
  readonly experimentId: string;
  readonly name: string;
  readonly status: string;
  readonly lifecycle: string;
  readonly sourceRunId?: string;
  readonly modelType: string;
  readonly creationTime: number;
  readonly lastUpdatedTime: number;
  readonly tags: Readonly<Record<string, string>>;
}

export function evolveExperimentDoc(doc: ExperimentDoc | undefined, event: ExperimentEvent): ExperimentDoc {
  const before: ExperimentState = doc
    ? { ...initialExperimentState, exists: true, experimentId: doc.id, name: doc.name, lifecycle: doc.lifecycle === 'deleted' ? 'deleted' : 'active', tags: doc.tags, creationTime: doc.creationTime, lastUpdateTime: doc.lastUpdateTime }
    : initialExperimentState;
  const s = experimentDecider.evolve(before, event);
  return { id: s.experimentId, name: s.name, lifecycle: s.lifecycle, creationTime: s.creationTime, lastUpdateTime: s.lastUpdateTime, tags: s.tags };
}

export function evolveRunDoc(doc: RunDoc | undefined, event: RunEvent): RunDoc {
  const before: RunState = doc
    ? {
        ...initialRunState,
        exists: true,
        runId: doc.id,
        experimentId: doc.experimentId,
        runName: doc.runName,
        status: doc.status as RunState['status'],
        lifecycle: doc.lifecycle === 'deleted' ? 'deleted' : 'active',
        userId: doc.userId,
        startTime: doc.startTime,
        ...(doc.endTime !== undefined ? { endTime: doc.endTime } : {}),
        artifactUri: doc.artifactUri,
        tags: doc.tags,
        params: doc.params,
      }
    : initialRunState;
  // The history stays in the run's stream: the document folds each batch into the latest values.
  const s = runDecider.evolve(before, event.type === 'RunMetricsLogged' ? { type: 'RunMetricsLogged', data: { ...event.data, metrics: [] } } : event);
  const latest = event.type === 'RunMetricsLogged' ? foldLatest(doc, event.data.metrics) : { metrics: doc?.metrics ?? {}, metricPositions: doc?.metricPositions ?? {} };
  return {
    id: s.runId,
    experimentId: s.experimentId,
    runName: s.runName,
    status: s.status,
    lifecycle: s.lifecycle,
    userId: s.userId,
    startTime: s.startTime,
    ...(s.endTime !== undefined ? { endTime: s.endTime } : {}),
    artifactUri: s.artifactUri,
    tags: s.tags,
    params: s.params,
    ...latest,
  };
}

/** A metric value as MLflow's SQL store keeps it (it cannot hold infinities; NaN is flagged apart). */
function storedMetricValue(value: MetricValue): number | 'NaN' {
  const n = typeof value === 'number' ? value : Number(value);
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return Number.MAX_VALUE;
  if (n === -Infinity) return -Number.MAX_VALUE;
  return n;
}

function foldLatest(doc: RunDoc | undefined, logged: readonly MetricPoint[]): Pick<RunDoc, 'metrics' | 'metricPositions'> {
  const metrics: Record<string, number | 'NaN'> = { ...doc?.metrics };
  const metricPositions: Record<string, readonly [number, number]> = { ...doc?.metricPositions };
  for (const m of logged) {
    const position = Object.hasOwn(metricPositions, m.key) ? metricPositions[m.key] : undefined;
    const value = metrics[m.key];
    const current = position === undefined || value === undefined ? undefined : { step: position[0], timestamp: position[1], value };
    if (current !== undefined && !metricOutranks(m, current)) continue;
    metrics[m.key] = storedMetricValue(m.value);
    metricPositions[m.key] = [m.step, m.timestamp];
  }
  return { metrics, metricPositions };
}

export function evolveLoggedModelDoc(doc: LoggedModelDoc | undefined, event: LoggedModelEvent): LoggedModelDoc {
  const before: LoggedModelState = doc
    ? {
        ...initialLoggedModelState,
        exists: true,
        deleted: doc.lifecycle === 'deleted',
        loggedModelId: doc.id,
        experimentId: doc.experimentId,
        name: doc.name,
        status: doc.status as LoggedModelState['status'],
        ...(doc.sourceRunId !== undefined ? { sourceRunId: doc.sourceRunId } : {}),
        modelType: doc.modelType,
        creationTime: doc.creationTime,
        lastUpdatedTime: doc.lastUpdatedTime,
        tags: doc.tags,
      }
    : initialLoggedModelState;
  const s = loggedModelDecider.evolve(before, event);
  return {
    id: s.loggedModelId,
    experimentId: s.experimentId,
    name: s.name,
    status: s.status,
    lifecycle: s.deleted ? 'deleted' : 'active',
    ...(s.sourceRunId !== undefined ? { sourceRunId: s.sourceRunId } : {}),
    modelType: s.modelType,
    creationTime: s.creationTime,
    lastUpdatedTime: s.lastUpdatedTime,
    tags: s.tags,
  };
}

/** The tracking search index (runs wherever the tracking context runs). */
export class TrackingIndexProjection implements Projection {
  readonly name = 'tracking-index';
  readonly topics = [TOPICS.trackingEvents];

  constructor(private readonly store: ReadStore) {}

  async handle(event: RecordedEvent): Promise<void> {
    // Every tracking event names its entity: experimentId, runId or loggedModelId.
    const data = event.data as { experimentId?: string; runId?: string; loggedModelId?: string };
    const category = streamCategory(event.streamId);
    const change = { type: event.type, data: event.data };
    if (category === 'experiment') {
      await this.store.collection<ExperimentDoc>(TRACKING_COLLECTIONS.experiments).apply(data.experimentId ?? '', event.streamId, event.streamRevision, (doc) => evolveExperimentDoc(doc, change as ExperimentEvent));
    } else if (category === 'run') {
      await this.store.collection<RunDoc>(TRACKING_COLLECTIONS.runs).apply(data.runId ?? '', event.streamId, event.streamRevision, (doc) => evolveRunDoc(doc, change as RunEvent));
    } else if (category === 'logged-model') {
      await this.store.collection<LoggedModelDoc>(TRACKING_COLLECTIONS.loggedModels).apply(data.loggedModelId ?? '', event.streamId, event.streamRevision, (doc) => evolveLoggedModelDoc(doc, change as LoggedModelEvent));
    }
    // Name reservations need no search document.
  }
}

/**
 * The tracking index as a read model to rebuild from the log (the replay's `others`): its projection and the
 * collections it writes.
 */
export const TRACKING_READ_MODELS = {
  projections: (store: ReadStore): readonly Projection[] => [new TrackingIndexProjection(store)],
  collections: Object.values(TRACKING_COLLECTIONS),
} as const;

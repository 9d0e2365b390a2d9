import type { DatasetInput, MetricPoint } from '@mreg/shared/contracts';
import type { ExperimentState, KeyValue, LoggedModelState, RunState } from '@mreg/tracking/domain';

// MLflow's tracking entities as its server writes them (protobuf JSON, proto field names, int64 as numbers,
// empty lists left out): the shapes recorded from MLflow 3.17's own server.

const pairs = (map: Readonly<Record<string, string>>): KeyValue[] => Object.entries(map).map(([key, value]) => ({ key, value }));
const sortedPairs = (map: Readonly<Record<string, string>>): KeyValue[] => pairs(map).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
const nonEmpty = <T>(name: string, list: readonly T[]) => (list.length > 0 ? { [name]: list } : {});

export function mlflowExperiment(e: ExperimentState) {
  return {
    experiment_id: e.experimentId,
    name: e.name,
    artifact_location: e.artifactLocation,
    lifecycle_stage: e.lifecycle,
    last_update_time: e.lastUpdateTime,
    creation_time: e.creationTime,
    ...nonEmpty('tags', pairs(e.tags)),
    workspace: 'default',
  };
}

export function mlflowMetric(m: MetricPoint, extra: { runId?: string } = {}) {
  return {
    key: m.key,
    value: m.value,
    timestamp: m.timestamp,
    step: m.step,
    ...(m.datasetName ? { dataset_name: m.datasetName } : {}),
    ...(m.datasetDigest ? { dataset_digest: m.datasetDigest } : {}),
    ...(extra.runId && m.loggedModelId ? { model_id: m.loggedModelId, run_id: extra.runId } : {}),
  };
}

export function mlflowRunInfo(r: RunState) {
  return {
    run_uuid: r.runId,
    experiment_id: r.experimentId,
    run_name: r.runName,
    user_id: r.userId,
    status: r.status,
    start_time: r.startTime,
    ...(r.endTime !== undefined ? { end_time: r.endTime } : {}),
    artifact_uri: r.artifactUri,
    lifecycle_stage: r.lifecycle,
    run_id: r.runId,
  };
}

function mlflowDatasetInput(d: DatasetInput) {
  const { name, digest, sourceType, source, schema, profile } = d.dataset;
  return {
    ...nonEmpty('tags', pairs(d.tags)),
    dataset: { name, digest, source_type: sourceType, source, ...(schema ? { schema } : {}), ...(profile ? { profile } : {}) },
  };
}

/** A run with its latest metric values; `outputs` appears on reads, not in the answer to runs/create. */
export function mlflowRun(r: RunState, latest: readonly MetricPoint[], options: { outputs: boolean } = { outputs: true }) {
  return {
    info: mlflowRunInfo(r),
    data: {
      ...nonEmpty(
        'metrics',
        latest.map((m) => mlflowMetric(m)),
      ),
      ...nonEmpty('params', pairs(r.params)),
      ...nonEmpty('tags', pairs(r.tags)),
    },
    inputs: {
      ...nonEmpty('dataset_inputs', r.datasets.map(mlflowDatasetInput)),
      ...nonEmpty(
        'model_inputs',
        r.inputModelIds.map((model_id) => ({ model_id })),
      ),
    },
    ...(options.outputs
      ? {
          outputs: nonEmpty(
            'model_outputs',
            r.outputs.map((o) => ({ model_id: o.loggedModelId, step: o.step })),
          ),
        }
      : {}),
  };
}

export function mlflowLoggedModel(m: LoggedModelState, metrics: readonly (MetricPoint & { runId: string })[]) {
  return {
    info: {
      model_id: m.loggedModelId,
      experiment_id: m.experimentId,
      name: m.name,
      creation_timestamp_ms: m.creationTime,
      last_updated_timestamp_ms: m.lastUpdatedTime,
      artifact_uri: m.artifactLocation,
      status: m.status,
      model_type: m.modelType,
      ...(m.sourceRunId ? { source_run_id: m.sourceRunId } : {}),
      ...nonEmpty('tags', sortedPairs(m.tags)),
    },
    data: {
      ...nonEmpty('params', sortedPairs(m.params)),
      ...nonEmpty(
        'metrics',
        metrics.map((x) => mlflowMetric(x, { runId: x.runId })),
      ),
    },
  };
}

/** The answer to `GET /api/3.0/mlflow/server-info`, as MLflow's server gives it, minus what mreg does not offer. */
export const SERVER_INFO = {
  store_type: 'SqlStore',
  workspaces_enabled: false,
  trace_archival_enabled: false,
  multipart_uploads_enabled: false,
  multipart_downloads_enabled: false,
  // No presigned uploads: every byte goes through the proxy, which hashes it on the way.
  presigned_upload_run_id_supported: false,
  presigned_upload_model_id_supported: false,
  features_enabled: { gateway: false },
} as const;

import { createHash } from 'node:crypto';

/** Stream ids: one per aggregate; every id embeds the model id so history and partitioning follow the model. */
export const streams = {
  modelName: (nameKey: string) => `model-name-${nameKey}`,
  model: (modelId: string) => `model-${modelId}`,
  version: (modelId: string, version: number) => `version-${modelId}-${version}`,
  artifacts: (modelId: string, version: number) => `artifacts-${modelId}-${version}`,
  policy: (modelId: string) => `policy-${modelId}`,
  transition: (transitionId: string) => `transition-${transitionId}`,
  versionTransitions: (modelId: string, version: number) => `version-transitions-${modelId}-${version}`,
  /** Which version a training run registered (at most one per model and run id); `runKey` = {@link trainingRunKey}. */
  trainingRun: (modelId: string, runKey: string) => `training-run-${modelId}-${runKey}`,
  /** Files uploaded through the MLflow artifact proxy under one tree root; `rootKey` = {@link artifactTreeKey}. */
  artifactTree: (rootKey: string) => `artifact-tree-${rootKey}`,
  /** Unique experiment names (MLflow tracking); `nameKey` = {@link experimentNameKey}. */
  experimentName: (nameKey: string) => `experiment-name-${nameKey}`,
  experiment: (experimentId: string) => `experiment-${experimentId}`,
  run: (runId: string) => `run-${runId}`,
  loggedModel: (loggedModelId: string) => `logged-model-${loggedModelId}`,
} as const;

export type StreamCategory =
  | 'model-name'
  | 'model'
  | 'version'
  | 'artifacts'
  | 'policy'
  | 'transition'
  | 'version-transitions'
  | 'training-run'
  | 'artifact-tree'
  | 'experiment-name'
  | 'experiment'
  | 'run'
  | 'logged-model';

/** Longest prefix first where one category's prefix starts another's (`version-transitions-` before `version-`). */
const CATEGORIES: readonly StreamCategory[] = [
  'version-transitions',
  'model-name',
  'model',
  'version',
  'artifacts',
  'artifact-tree',
  'policy',
  'transition',
  'training-run',
  'experiment-name',
  'experiment',
  'run',
  'logged-model',
];

/** The category of a stream id (longest prefix first: `version-transitions-` before `version-`). */
export function streamCategory(streamId: string): StreamCategory | undefined {
  return CATEGORIES.find((c) => streamId.startsWith(`${c}-`));
}

/** Key of a name's reservation stream: a hash of the normalised (lower-case) name, safe and fixed-length. */
export function modelNameKey(name: string): string {
  return createHash('sha256').update(name.toLowerCase()).digest('hex').slice(0, 40);
}

/** Key of a training run's claim stream: a hash of the run id, so any run id maps to a safe, fixed-length stream id. */
export function trainingRunKey(runId: string): string {
  return createHash('sha256').update(runId).digest('hex').slice(0, 40);
}

/** Key of an artifact tree root's stream: a hash of the root path, safe and fixed-length. */
export function artifactTreeKey(root: string): string {
  return createHash('sha256').update(root).digest('hex').slice(0, 40);
}

/** Key of an experiment name's reservation stream: MLflow experiment names are unique as written (case matters). */
export function experimentNameKey(name: string): string {
  return createHash('sha256').update(name).digest('hex').slice(0, 40);
}

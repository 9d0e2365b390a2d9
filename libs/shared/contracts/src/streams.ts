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
} as const;

export type StreamCategory = 'model-name' | 'model' | 'version' | 'artifacts' | 'policy' | 'transition' | 'version-transitions' | 'training-run';

const CATEGORIES: readonly StreamCategory[] = ['version-transitions', 'model-name', 'model', 'version', 'artifacts', 'policy', 'transition', 'training-run'];

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

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
  /** A webhook subscription (decision 34). */
  webhook: (subscriptionId: string) => `webhook-${subscriptionId}`,
  /** An API token for machines (decision 33). */
  apiToken: (tokenId: string) => `api-token-${tokenId}`,
} as const;

/** The bounded contexts that own streams; each publishes its streams' events on its own topic. */
export const CONTEXTS = ['registration', 'governance', 'artifact', 'tracking'] as const;
export type OwningContext = (typeof CONTEXTS)[number];

/**
 * The one table of stream-name conventions: every category (the stream id's prefix before `-<id>`) and the
 * context that owns it — writes it, relays it, names its topic ({@link topicForStream}) and its CloudEvents.
 */
export const STREAM_CATEGORIES = {
  'model-name': 'registration',
  model: 'registration',
  version: 'registration',
  'training-run': 'registration',
  policy: 'governance',
  transition: 'governance',
  'version-transitions': 'governance',
  webhook: 'governance',
  'api-token': 'governance',
  artifacts: 'artifact',
  'artifact-tree': 'artifact',
  'experiment-name': 'tracking',
  experiment: 'tracking',
  run: 'tracking',
  'logged-model': 'tracking',
} as const satisfies Readonly<Record<string, OwningContext>>;
export type StreamCategory = keyof typeof STREAM_CATEGORIES;

// Longest prefix first where one category's prefix starts another's (`version-transitions-` before `version-`).
const BY_PREFIX_LENGTH = (Object.keys(STREAM_CATEGORIES) as StreamCategory[]).sort((a, b) => b.length - a.length);

/** The category of a stream id (longest prefix first: `version-transitions-` before `version-`). */
export function streamCategory(streamId: string): StreamCategory | undefined {
  return BY_PREFIX_LENGTH.find((c) => streamId.startsWith(`${c}-`));
}

/** The context that owns a stream id (undefined for a stream no context owns). */
export function streamContext(streamId: string): OwningContext | undefined {
  const category = streamCategory(streamId);
  return category === undefined ? undefined : STREAM_CATEGORIES[category];
}

/** The stream categories the given contexts own. */
export function categoriesOf(contexts: readonly OwningContext[]): StreamCategory[] {
  return (Object.keys(STREAM_CATEGORIES) as StreamCategory[]).filter((c) => contexts.includes(STREAM_CATEGORIES[c]));
}

/** Categories whose stream ids carry the model id right after the prefix (`version-<modelId>-3`). */
const MODEL_SCOPED: ReadonlySet<StreamCategory> = new Set(['model', 'version', 'artifacts', 'policy', 'version-transitions', 'training-run']);
const MODEL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/**
 * What the bus partitions a stream's events by (decision 28): `model-<id>` for every stream of one model, so all of
 * a model's events share a partition and one consumer of a group applies them (a model's read-model documents
 * gather events of several of its streams); the stream id for the rest. One stream always maps to one key, so its
 * events stay in order.
 */
export function partitionKeyOf(streamId: string): string {
  const category = streamCategory(streamId);
  if (category === undefined || !MODEL_SCOPED.has(category)) return streamId;
  const modelId = MODEL_ID.exec(streamId.slice(category.length + 1))?.[0];
  return modelId === undefined ? streamId : `model-${modelId}`;
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

import type { DatasetRef } from '@mreg/shared/contracts';
import type { RunState } from './run.decider';
import { latestMetrics } from './run.decider';

// What a model version registered from MLflow is made of: the source URI the client names, resolved against
// the runs and logged models this registry tracked. Pure: the feature lib loads the streams.

export type RegistrationSource =
  { readonly kind: 'run'; readonly runId: string; readonly path: string } | { readonly kind: 'logged-model'; readonly loggedModelId: string } | { readonly kind: 'tree'; readonly treePath: string } | { readonly kind: 'other' };

const RUNS = /^runs:\/([^/]+)(?:\/(.*))?$/;
const MODELS = /^models:\/(m-[0-9a-zA-Z]+)\/?$/;
const TREE = /^mlflow-artifacts:(?:\/\/[^/]*)?\/*(.*)$/;

/** Trims slashes; collapses nothing else: the artifact-path grammar decides later whether the path is acceptable. */
const trimSlashes = (p: string) => p.replace(/^\/+|\/+$/g, '');

export function parseRegistrationSource(source: string): RegistrationSource {
  const run = RUNS.exec(source);
  if (run?.[1]) return { kind: 'run', runId: run[1], path: trimSlashes(run[2] ?? '') };
  const model = MODELS.exec(source);
  if (model?.[1]) return { kind: 'logged-model', loggedModelId: model[1] };
  const tree = TREE.exec(source);
  if (tree) return { kind: 'tree', treePath: trimSlashes(tree[1] ?? '') };
  return { kind: 'other' };
}

/** The artifact-tree path of an `mlflow-artifacts:` URI (experiments' and runs' artifact locations), if it is one. */
export function treePathOf(uri: string): string | undefined {
  const tree = TREE.exec(uri);
  return tree ? trimSlashes(tree[1] ?? '') : undefined;
}

export function joinTreePath(...parts: string[]): string {
  return parts
    .map(trimSlashes)
    .filter((p) => p !== '')
    .join('/');
}

/** Who owns a tree path by MLflow's layout: `<exp>/<run>/artifacts/...` or `<exp>/models/<m-id>/artifacts/...`. */
export function ownerOfTreePath(treePath: string): { runId: string } | { loggedModelId: string } | undefined {
  const [, second, third, fourth] = treePath.split('/');
  if (second === 'models' && third?.startsWith('m-') && fourth === 'artifacts') return { loggedModelId: third };
  if (second !== undefined && second !== 'models' && third === 'artifacts') return { runId: second };
  return undefined;
}

export interface RunFacts {
  readonly params: Record<string, string>;
  readonly metrics: Record<string, number>;
  readonly runTags: Record<string, string>;
  readonly lineage: { datasets: DatasetRef[]; codeRepository?: string; codeCommit?: string; pipeline?: string };
}

// MLflow's own tags for where a run's code came from (mlflow/utils/mlflow_tags.py).
export const GIT_COMMIT_TAG = 'mlflow.source.git.commit';
export const GIT_REPO_URL_TAG = 'mlflow.source.git.repoURL';
/** The entry point (script, notebook or project) that ran: the closest MLflow has to a pipeline name. */
export const SOURCE_NAME_TAG = 'mlflow.source.name';

/** A dataset's URI: MLflow stores its source as JSON (`{"uri": ...}`, `{"url": ...}`, `{"path": ...}`), else the raw text. */
function datasetUri(source: string): string {
  try {
    const parsed: unknown = JSON.parse(source);
    if (typeof parsed === 'object' && parsed !== null) {
      for (const field of ['uri', 'url', 'path', 'table_name']) {
        const value = (parsed as Record<string, unknown>)[field];
        if (typeof value === 'string' && value !== '') return value;
      }
    }
  } catch {
    // not JSON: the source is the URI itself
  }
  return source;
}

/** Params, latest finite metrics, tags and lineage of a run, as a version registered from it records them. */
export function factsOfRun(run: RunState): RunFacts {
  const metrics: Record<string, number> = {};
  for (const m of latestMetrics(run)) if (typeof m.value === 'number' && Number.isFinite(m.value)) metrics[m.key] = m.value;
  const seen = new Set<string>();
  const datasets: DatasetRef[] = [];
  for (const { dataset } of run.datasets) {
    const id = `${dataset.name}\u0000${dataset.digest}`;
    if (seen.has(id)) continue;
    seen.add(id);
    datasets.push({ name: dataset.name, uri: datasetUri(dataset.source), ...(dataset.digest ? { digest: dataset.digest } : {}) });
  }
  const tag = (key: string) => run.tags[key];
  const [repo, commit, pipeline] = [tag(GIT_REPO_URL_TAG), tag(GIT_COMMIT_TAG), tag(SOURCE_NAME_TAG)];
  return {
    params: { ...run.params },
    metrics,
    runTags: { ...run.tags },
    lineage: { datasets, ...(repo ? { codeRepository: repo } : {}), ...(commit ? { codeCommit: commit } : {}), ...(pipeline ? { pipeline } : {}) },
  };
}

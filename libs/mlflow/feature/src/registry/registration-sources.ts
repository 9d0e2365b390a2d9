import type { DatasetRef } from '@mreg/shared/contracts';

/** What a version registered from an MLflow source carries over from its run or logged model. */
export interface SourceFacts {
  readonly runId?: string;
  readonly loggedModelId?: string;
  /** Where its files are in the MLflow artifact tree (imported into the version by the artifact context). */
  readonly artifactSource?: string;
  readonly params: Readonly<Record<string, string>>;
  readonly metrics: Readonly<Record<string, number>>;
  readonly runTags: Readonly<Record<string, string>>;
  readonly lineage: { readonly datasets: readonly DatasetRef[]; readonly codeRepository?: string; readonly codeCommit?: string; readonly pipeline?: string };
}

/** The tracking context's answer to "what does this source point at" (runs:/…, models:/<id>, mlflow-artifacts:/…). */
export interface RegistrationSources {
  resolveRegistrationSource(input: { source: string; runId?: string; modelId?: string }): Promise<SourceFacts>;
}

export const REGISTRATION_SOURCES = Symbol('RegistrationSources');

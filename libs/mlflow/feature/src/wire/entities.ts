import type { ModelResource, VersionResource } from '@mreg/audit/read-models';
import { mlflowStage } from './stages';

// MLflow's entities as its server writes them in JSON (protobuf JSON with the proto's field names): numbers
// for int64 timestamps, versions as strings, key/value lists for tags, and empty fields left out.

export interface MlflowTag {
  readonly key: string;
  readonly value: string;
}

export function tagList(tags: Readonly<Record<string, string>>): MlflowTag[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

export function epochMillis(iso: string): number {
  return Date.parse(iso);
}

/** Drops the fields protobuf JSON leaves out: undefined, empty strings and empty lists. */
function compact<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0))) as Partial<T>;
}

/** Where a version's own files are served by MLflow's artifact proxy: its sealed, digest-checked manifest. */
export function versionArtifactUri(v: Pick<VersionResource, 'modelId' | 'version'>): string {
  return `mlflow-artifacts:/mreg-versions/${v.modelId}/${v.version}`;
}

export function mlflowModelVersion(v: VersionResource) {
  return compact({
    name: v.model,
    version: String(v.version),
    creation_timestamp: epochMillis(v.createdAt),
    last_updated_timestamp: epochMillis(v.updatedAt),
    user_id: v.createdBy,
    current_stage: mlflowStage(v.stage),
    description: v.description,
    source: v.source ?? undefined,
    run_id: v.runId ?? undefined,
    status: v.status === 'pending' ? 'PENDING_REGISTRATION' : 'READY',
    tags: tagList(v.tags),
    aliases: v.aliases,
    model_id: v.loggedModelId ?? undefined,
  });
}
export type MlflowModelVersion = ReturnType<typeof mlflowModelVersion>;

export function mlflowRegisteredModel(m: ModelResource, latestVersions: readonly VersionResource[] = []) {
  return compact({
    name: m.name,
    creation_timestamp: epochMillis(m.createdAt),
    last_updated_timestamp: epochMillis(m.updatedAt),
    user_id: m.createdBy,
    description: m.description,
    latest_versions: latestVersions.map(mlflowModelVersion),
    tags: tagList(m.tags),
    aliases: Object.entries(m.aliases).map(([alias, version]) => ({ alias, version: String(version) })),
  });
}
export type MlflowRegisteredModel = ReturnType<typeof mlflowRegisteredModel>;

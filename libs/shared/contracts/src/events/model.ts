import type { ModelPermission, ModelVisibility } from '../access';
import type { Event } from './event';

export const STAGES = ['development', 'staging', 'production', 'archived'] as const;
export type Stage = (typeof STAGES)[number];

export type Tags = Readonly<Record<string, string>>;

export interface DatasetRef {
  readonly name: string;
  readonly uri: string;
  readonly digest?: string;
}

export interface Lineage {
  readonly datasets: readonly DatasetRef[];
  readonly codeRepository?: string;
  readonly codeCommit?: string;
  readonly pipeline?: string;
}

// ---- stream model-name-<sha256(normalized name)>: unique model names --------------------------------
export type ModelNameReserved = Event<'ModelNameReserved', { name: string; modelId: string }>;
export type ModelNameReleased = Event<'ModelNameReleased', { name: string; modelId: string }>;
export type ModelNameEvent = ModelNameReserved | ModelNameReleased;

// ---- stream model-<modelId> ----------------------------------------------------------------------
export type ModelRegistered = Event<'ModelRegistered', { modelId: string; name: string; description: string; tags: Tags }>;
export type ModelDescriptionChanged = Event<'ModelDescriptionChanged', { modelId: string; description: string }>;
export type ModelRenamed = Event<'ModelRenamed', { modelId: string; from: string; to: string }>;
export type ModelTagSet = Event<'ModelTagSet', { modelId: string; key: string; value: string }>;
export type ModelTagRemoved = Event<'ModelTagRemoved', { modelId: string; key: string }>;
/** A version number is handed out once; the version stream is created right after. */
export type ModelVersionNumberAllocated = Event<'ModelVersionNumberAllocated', { modelId: string; version: number }>;
export type AliasAssigned = Event<'AliasAssigned', { modelId: string; alias: string; version: number; previousVersion?: number }>;
export type AliasRemoved = Event<'AliasRemoved', { modelId: string; alias: string; version: number }>;
export type ModelDeleted = Event<'ModelDeleted', { modelId: string; name: string }>;
/** A deleted model is back, under `name` (its name at deletion, or another one when that was taken meanwhile). */
export type ModelRestored = Event<'ModelRestored', { modelId: string; name: string }>;
/** A subject (`user:<name>`, `group:<name>`) now holds `permission` on the model (decision 32); it replaces any earlier one. */
export type ModelAccessGranted = Event<'ModelAccessGranted', { modelId: string; subject: string; permission: ModelPermission }>;
export type ModelAccessRevoked = Event<'ModelAccessRevoked', { modelId: string; subject: string }>;
export type ModelVisibilityChanged = Event<'ModelVisibilityChanged', { modelId: string; visibility: ModelVisibility }>;
export type ModelAccessEvent = ModelAccessGranted | ModelAccessRevoked | ModelVisibilityChanged;
export type ModelEvent = ModelRegistered | ModelDescriptionChanged | ModelRenamed | ModelTagSet | ModelTagRemoved | ModelVersionNumberAllocated | AliasAssigned | AliasRemoved | ModelDeleted | ModelRestored | ModelAccessEvent;

// ---- stream version-<modelId>-<n> ------------------------------------------------------------------
export type ModelVersionCreated = Event<
  'ModelVersionCreated',
  {
    modelId: string;
    modelName: string;
    version: number;
    description: string;
    source?: string;
    runId?: string;
    /** The MLflow logged model (`m-…`) the version was registered from. */
    loggedModelId?: string;
    params: Readonly<Record<string, string>>;
    metrics: Readonly<Record<string, number>>;
    tags: Tags;
    lineage: Lineage;
    signature?: Readonly<Record<string, unknown>>;
    /**
     * Files uploaded through the MLflow artifact proxy that become this version's artifacts: a path in the
     * artifact tree (`<experiment>/<run>/artifacts/model`, `<experiment>/models/<id>/artifacts`). The artifact
     * context imports them into the version's manifest by digest (ArtifactsImported); until then the version's
     * registration is pending.
     */
    artifactSource?: string;
  }
>;
export type ModelVersionDescriptionChanged = Event<'ModelVersionDescriptionChanged', { modelId: string; version: number; description: string }>;
export type ModelVersionTagSet = Event<'ModelVersionTagSet', { modelId: string; version: number; key: string; value: string }>;
export type ModelVersionTagRemoved = Event<'ModelVersionTagRemoved', { modelId: string; version: number; key: string }>;
export type ModelVersionStageChanged = Event<
  'ModelVersionStageChanged',
  {
    modelId: string;
    version: number;
    from: Stage;
    to: Stage;
    /** The transition request that caused it. */
    transitionId: string;
    /** 'requested' for the version a transition names; 'archived-existing' for a production version it replaced. */
    reason: 'requested' | 'archived-existing';
  }
>;
/** The registry could not apply an approved transition (the version moved or was deleted meanwhile). */
export type ModelVersionStageChangeRefused = Event<'ModelVersionStageChangeRefused', { modelId: string; version: number; transitionId: string; reason: string }>;
export type ModelVersionDeleted = Event<'ModelVersionDeleted', { modelId: string; version: number }>;
export type ModelVersionEvent = ModelVersionCreated | ModelVersionDescriptionChanged | ModelVersionTagSet | ModelVersionTagRemoved | ModelVersionStageChanged | ModelVersionStageChangeRefused | ModelVersionDeleted;

// ---- stream training-run-<modelId>-<sha256(runId)[0..40]>: one version per training run ----------------
/** A training run registered `version` (appended with "no stream" expected, after the number was allocated). */
export type TrainingRunLinked = Event<'TrainingRunLinked', { modelId: string; runId: string; version: number }>;
export type TrainingRunEvent = TrainingRunLinked;

import type { AuditEntryDoc, ModelDoc, TransitionDoc, VersionDoc } from './catalog.documents';
import type { ModelAccess } from '@mreg/shared/contracts';
import type { DeletedModelResponse, HistoryEntryResponse, ModelAccessResponse, ModelResponse, TransitionResponse, VersionResponse } from './resources.response';

/** When and by whom a document was created and last changed. */
const changeStamps = (doc: ModelDoc | VersionDoc) => ({ createdAt: doc.createdAt, createdBy: doc.createdBy, updatedAt: doc.updatedAt, updatedBy: doc.updatedBy });

/** The version a document is about: its model's name and id, and its number. */
const versionOf = (doc: VersionDoc | TransitionDoc) => ({ model: doc.modelName, modelId: doc.modelId, version: doc.version });

/** What a version was registered with, as every rendering of a version shows it (what is absent as null). */
export function registeredFacts(version: Pick<VersionDoc, 'source' | 'runId' | 'loggedModelId' | 'params' | 'metrics' | 'tags' | 'lineage' | 'signature'>) {
  return {
    source: version.source ?? null,
    runId: version.runId ?? null,
    loggedModelId: version.loggedModelId ?? null,
    params: version.params,
    metrics: version.metrics,
    tags: version.tags,
    lineage: version.lineage,
    signature: version.signature ?? null,
  };
}

/** A model's grants and visibility, grants in subject order. */
export function accessResource(access: ModelAccess): ModelAccessResponse {
  const grants = Object.entries(access.grants).map(([subject, permission]) => ({ subject, permission }));
  return { visibility: access.visibility, grants: grants.sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0)) };
}

/** The JSON the API returns (internal fields such as status flags and revisions stay inside). */
export function modelResource(doc: ModelDoc): ModelResponse {
  return {
    id: doc.modelId,
    name: doc.name,
    description: doc.description,
    tags: doc.tags,
    aliases: doc.aliases,
    latestVersion: doc.latestVersion === 0 ? null : doc.latestVersion,
    versionCount: doc.versionCount,
    ...changeStamps(doc),
  };
}
export type ModelResource = ModelResponse;

/** A deleted model: the model as it was, and its deletion (a document deleted before these were kept: its last change). */
export function deletedModelResource(doc: ModelDoc): DeletedModelResponse {
  return { ...modelResource(doc), deletedAt: doc.deletedAt ?? doc.updatedAt, deletedBy: doc.deletedBy ?? doc.updatedBy };
}
export type DeletedModelResource = DeletedModelResponse;

export function versionResource(doc: VersionDoc): VersionResponse {
  return {
    ...versionOf(doc),
    description: doc.description,
    stage: doc.stage,
    // Files still being imported from the MLflow artifact tree: registration is pending (MLflow's PENDING_REGISTRATION).
    status: doc.artifactSource !== undefined && doc.artifactsImported !== true ? ('pending' as const) : ('ready' as const),
    ...registeredFacts(doc),
    aliases: doc.aliases,
    artifacts: { count: doc.artifactCount, totalBytes: doc.artifactBytes, sealed: doc.stage !== 'development' },
    ...changeStamps(doc),
    stageChangedAt: doc.stageChangedAt ?? null,
  };
}
export type VersionResource = VersionResponse;

export function transitionResource(doc: TransitionDoc): TransitionResponse {
  return {
    id: doc.transitionId,
    ...versionOf(doc),
    fromStage: doc.fromStage,
    toStage: doc.toStage,
    status: doc.status,
    archiveExisting: doc.archiveExisting,
    requestedBy: doc.requestedBy,
    requestedAt: doc.requestedAt,
    comment: doc.comment,
    policy: { requiredApprovals: doc.requiredApprovals, approverRole: doc.approverRole },
    approvals: doc.approvals,
    decidedBy: doc.decidedBy ?? null,
    decidedAt: doc.decidedAt ?? null,
    decisionComment: doc.decisionComment ?? null,
    appliedAt: doc.appliedAt ?? null,
    failureReason: doc.failureReason ?? null,
    updatedAt: doc.updatedAt,
  };
}
export type TransitionResource = TransitionResponse;

export function historyEntryResource(doc: AuditEntryDoc): HistoryEntryResponse {
  return {
    eventId: doc.id,
    modelId: doc.modelId,
    type: doc.type,
    occurredAt: doc.occurredAt,
    actor: doc.actor,
    stream: doc.streamId,
    revision: doc.revision,
    version: doc.version ?? null,
    correlationId: doc.correlationId,
    causationId: doc.causationId ?? null,
    data: doc.data,
    hash: doc.hash,
    prevHash: doc.prevHash,
  };
}
export type HistoryEntryResource = HistoryEntryResponse;

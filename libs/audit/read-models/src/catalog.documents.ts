import type { ModelAccess, ModelVersionCreated, Role, Stage, Tags, TransitionStatus } from '@mreg/shared/contracts';

/** Read-model documents (stored); `status` is a string so every adapter compares it alike. */
export type DocStatus = 'pending' | 'active' | 'deleted';

export interface ModelDoc {
  readonly id: string;
  readonly modelId: string;
  readonly name: string;
  readonly description: string;
  readonly tags: Tags;
  readonly aliases: Readonly<Record<string, number>>;
  readonly latestVersion: number;
  readonly versionCount: number;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
  readonly status: DocStatus;
  /** Grants and visibility (decision 32), as the model stream has them. */
  readonly access?: ModelAccess;
  /** Who may read it: a key per subject with a grant, and `*` when every caller may (lists filter on it). */
  readonly readers?: Readonly<Record<string, 1>>;
  /** When and by whom the model was deleted (while it is). */
  readonly deletedAt?: string;
  readonly deletedBy?: string;
}

type RegisteredVersion = ModelVersionCreated['data'];

/**
 * A version document is 'pending' until ModelVersionCreated is applied (an alias event may arrive first). What
 * the version was registered with has that event's shape (`artifactSource`: set when the files come from the
 * MLflow artifact tree, pending until `artifactsImported`).
 */
export interface VersionDoc extends RegisteredVersion {
  readonly id: string;
  /** Sort key: model name ascending, then version descending (see `named`). */
  readonly nameOrder?: string;
  /** The artifact context imported the files (it may be projected before or after the version's creation). */
  readonly artifactsImported?: boolean;
  readonly stage: Stage;
  readonly aliases: readonly string[];
  readonly artifactCount: number;
  readonly artifactBytes: number;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
  /** Log position of the event that set updatedAt/updatedBy (the latest touch wins, whatever the delivery order). */
  readonly updatedSeq?: number;
  readonly stageChangedAt?: string;
  /**
   * 'deleted' while the version or its model is deleted (the two flags below, each set from its own stream, so
   * that restoring the model brings back only the versions that were not deleted themselves).
   */
  readonly status: DocStatus;
  readonly versionDeleted?: true;
  readonly modelDeleted?: true;
}

export interface ApprovalEntry {
  readonly by: string;
  readonly at: string;
  readonly comment: string;
}

export interface TransitionDoc {
  readonly id: string;
  readonly transitionId: string;
  readonly modelId: string;
  readonly modelName: string;
  readonly version: number;
  readonly fromStage: Stage;
  readonly toStage: Stage;
  readonly status: TransitionStatus;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly comment: string;
  readonly archiveExisting: boolean;
  readonly requiredApprovals: number;
  readonly approverRole: Role;
  readonly approvals: readonly ApprovalEntry[];
  readonly decidedBy?: string;
  readonly decidedAt?: string;
  readonly decisionComment?: string;
  readonly appliedAt?: string;
  readonly failureReason?: string;
  readonly updatedAt: string;
}

/** One row per event in the log: who did what, when, to which model. */
export interface AuditEntryDoc {
  readonly id: string;
  readonly seq: number;
  readonly modelId: string;
  readonly version?: number;
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
  readonly actor: string;
  readonly occurredAt: string;
  readonly correlationId: string;
  readonly causationId?: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly hash: string;
  readonly prevHash: string;
}

export const COLLECTIONS = {
  models: 'models',
  versions: 'model_versions',
  transitions: 'transitions',
  audit: 'audit_trail',
} as const;

export const versionDocId = (modelId: string, version: number) => `${modelId}:${String(version).padStart(10, '0')}`;

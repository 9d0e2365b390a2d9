import type { DatasetRef, Tags } from '../../events';
import { INBOUND_TOPICS } from '../../topics';
import schema from './schema.json';

/** CloudEvents `type` of the message (`ce_type` header in binary mode, `type` in structured mode). */
export const TRAINING_RUN_COMPLETED_V1_TYPE = 'io.mreg.training.TrainingRunCompleted.v1';

/**
 * The data of a TrainingRunCompleted CloudEvent on `mreg.training.events.v1`: a training run finished; its
 * model becomes a new version of `model` (the model is created when missing), once per (model, runId).
 */
export interface TrainingRunCompletedV1 {
  readonly model: string;
  readonly runId: string;
  readonly description?: string;
  /** Where the model came from (absolute URI). */
  readonly source?: string;
  readonly params?: Readonly<Record<string, string>>;
  readonly metrics?: Readonly<Record<string, number>>;
  readonly tags?: Tags;
  readonly lineage?: {
    readonly datasets?: readonly DatasetRef[];
    readonly codeRepository?: string;
    readonly codeCommit?: string;
    readonly pipeline?: string;
  };
  /** Input/output schema (JSON object, at most 64 KiB). */
  readonly signature?: Readonly<Record<string, unknown>>;
}

/** JSON Schema (draft 2020-12) of {@link TrainingRunCompletedV1}: `schema.json` next to this file. */
export const TRAINING_RUN_COMPLETED_V1_SCHEMA = schema;

export const TRAINING_RUN_COMPLETED_V1 = {
  type: TRAINING_RUN_COMPLETED_V1_TYPE,
  topic: INBOUND_TOPICS.trainingEvents,
  rejectionsTopic: INBOUND_TOPICS.trainingRejections,
  schema,
} as const;

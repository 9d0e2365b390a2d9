import schema from './schema.json';
import { ERROR_CODES, type ErrorCode } from '../../domain-error';

/** CloudEvents `type` of a rejection on `mreg.training.rejections.v1`. */
export const TRAINING_RUN_REJECTED_V1_TYPE = 'io.mreg.training.TrainingRunRejected.v1';
/** CloudEvents `type` of a rejection on `mreg.governance.command-rejections.v1`. */
export const APPROVAL_COMMAND_REJECTED_V1_TYPE = 'io.mreg.governance.ApprovalCommandRejected.v1';

/** Codes only HTTP has: a message has no method or range, and a fault of ours is retried, never answered. */
type HttpOnlyCode = 'METHOD_NOT_ALLOWED' | 'RANGE_NOT_SATISFIABLE' | 'INTERNAL' | 'UNAVAILABLE';
const HTTP_ONLY_CODES: readonly ErrorCode[] = ['METHOD_NOT_ALLOWED', 'RANGE_NOT_SATISFIABLE', 'INTERNAL', 'UNAVAILABLE'] satisfies readonly HttpOnlyCode[];

/** Why a message was refused: the codes of the error vocabulary that a client mistake can have. */
export type RejectionCode = Exclude<ErrorCode, HttpOnlyCode>;
export const REJECTION_CODES: readonly RejectionCode[] = ERROR_CODES.filter((code): code is RejectionCode => !HTTP_ONLY_CODES.includes(code));

/**
 * The value of a rejection message: an inbound message the registry refused, which changed nothing. Keyed like
 * the refused message; never carries its headers (the token stays where it was).
 */
export interface MessageRejectedV1 {
  readonly code: RejectionCode;
  readonly reason: string;
  /** Structured detail when there is some, e.g. the validation problems per field. */
  readonly details?: unknown;
  /** The refused message's CloudEvents id; null when it had none. */
  readonly messageId: string | null;
  /** Where the refused message was read. */
  readonly topic: string;
  readonly key: string | null;
  /** When the registry handled it (ISO 8601, UTC). */
  readonly receivedAt: string;
}

/** JSON Schema (draft 2020-12) of {@link MessageRejectedV1}: `schema.json` next to this file. */
export const MESSAGE_REJECTED_V1_SCHEMA = schema;

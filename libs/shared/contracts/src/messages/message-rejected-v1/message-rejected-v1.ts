import { Type } from '@sinclair/typebox';
import { ERROR_CODES, type ErrorCode } from '../../domain-error';
import { nullableString, stringEnum } from '../../schema';
import type { Shape } from '../../schema';

/** CloudEvents `type` of a rejection on `mreg.training.rejections.v1`. */
export const TRAINING_RUN_REJECTED_V1_TYPE = 'io.mreg.training.TrainingRunRejected.v1';
/** CloudEvents `type` of a rejection on `mreg.governance.command-rejections.v1`. */
export const APPROVAL_COMMAND_REJECTED_V1_TYPE = 'io.mreg.governance.ApprovalCommandRejected.v1';

/** Codes only HTTP has: a message has no method or range, and a fault of ours is retried, never answered. */
type HttpOnlyCode = 'METHOD_NOT_ALLOWED' | 'RANGE_NOT_SATISFIABLE' | 'IDEMPOTENCY_MISMATCH' | 'RESOURCE_EXHAUSTED' | 'INTERNAL' | 'UNAVAILABLE';
const HTTP_ONLY_CODES: readonly ErrorCode[] = ['METHOD_NOT_ALLOWED', 'RANGE_NOT_SATISFIABLE', 'IDEMPOTENCY_MISMATCH', 'RESOURCE_EXHAUSTED', 'INTERNAL', 'UNAVAILABLE'] satisfies readonly HttpOnlyCode[];

/** Why a message was refused: the codes of the error vocabulary that a client mistake can have. */
export type RejectionCode = Exclude<ErrorCode, HttpOnlyCode>;
export const REJECTION_CODES: readonly RejectionCode[] = ERROR_CODES.filter((code): code is RejectionCode => !HTTP_ONLY_CODES.includes(code));

/**
 * The value of a rejection message: an inbound message the registry refused, which changed nothing. Keyed like
 * the refused message; never carries its headers (the token stays where it was). The one definition of its type
 * and JSON Schema.
 */
export const MessageRejectedV1 = Type.Object(
  {
    code: stringEnum(REJECTION_CODES),
    reason: Type.String({ description: 'Human-readable explanation.' }),
    details: Type.Optional(Type.Unknown({ description: 'Structured detail when there is some, e.g. the validation problems per field.' })),
    messageId: nullableString({ description: "The refused message's CloudEvents id, null when it had none." }),
    topic: Type.String({ description: 'Where the refused message was read.' }),
    key: nullableString({ description: "The refused message's key." }),
    receivedAt: Type.String({ description: 'When the registry handled it (RFC 3339, UTC).', format: 'date-time' }),
  },
  {
    $id: 'urn:mreg:schema:io.mreg.MessageRejected.v1',
    title: 'MessageRejectedV1',
    description:
      'Value of a message on mreg.training.rejections.v1 (CloudEvent type io.mreg.training.TrainingRunRejected.v1) or mreg.governance.command-rejections.v1 (io.mreg.governance.ApprovalCommandRejected.v1): an inbound message the registry refused; it changed nothing. Codes are those of the HTTP error envelope.',
    additionalProperties: false,
  },
);
export type MessageRejectedV1 = Shape<typeof MessageRejectedV1>;

import { INBOUND_TOPICS } from '../../topics';
import schema from './schema.json';

/** CloudEvents `type` of the message (`ce_type` header in binary mode, `type` in structured mode). */
export const APPROVAL_COMMAND_V1_TYPE = 'io.mreg.governance.ApprovalCommand.v1';

export type ApprovalCommandName = 'approve' | 'reject' | 'cancel';
export const APPROVAL_COMMAND_NAMES: readonly ApprovalCommandName[] = ['approve', 'reject', 'cancel'];

/**
 * The data of an ApprovalCommand CloudEvent on `mreg.governance.commands.v1`: a decision on a pending transition
 * request, taken by the principal of the message's token. The CloudEvent id identifies the command.
 */
export interface ApprovalCommandV1 {
  readonly command: ApprovalCommandName;
  readonly transitionId: string;
  readonly comment?: string;
}

/** JSON Schema (draft 2020-12) of {@link ApprovalCommandV1}: `schema.json` next to this file. */
export const APPROVAL_COMMAND_V1_SCHEMA = schema;

export const APPROVAL_COMMAND_V1 = {
  type: APPROVAL_COMMAND_V1_TYPE,
  topic: INBOUND_TOPICS.governanceCommands,
  rejectionsTopic: INBOUND_TOPICS.governanceCommandRejections,
  schema,
} as const;

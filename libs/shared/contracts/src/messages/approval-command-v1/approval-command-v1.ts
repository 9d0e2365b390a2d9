import { Type } from '@sinclair/typebox';
import { INBOUND_TOPICS } from '../../topics';
import { stringEnum } from '../../schema';
import type { Shape } from '../../schema';

/** CloudEvents `type` of the message (`ce_type` header in binary mode, `type` in structured mode). */
export const APPROVAL_COMMAND_V1_TYPE = 'io.mreg.governance.ApprovalCommand.v1';

export const APPROVAL_COMMAND_NAMES = ['approve', 'reject', 'cancel'] as const;
export type ApprovalCommandName = (typeof APPROVAL_COMMAND_NAMES)[number];

/**
 * The data of an ApprovalCommand CloudEvent on `mreg.governance.commands.v1`: a decision on a pending transition
 * request, taken by the principal of the message's token. The CloudEvent id identifies the command. The one
 * definition: the type below and the JSON Schema (this object, `docs/api/asyncapi.yaml`) come from it.
 */
export const ApprovalCommandV1 = Type.Object(
  {
    command: stringEnum(APPROVAL_COMMAND_NAMES),
    transitionId: Type.String({
      description: 'The transition request (a UUID, as returned by POST /models/{name}/versions/{version}/transitions).',
      pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
    }),
    comment: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  {
    $id: `urn:mreg:schema:${APPROVAL_COMMAND_V1_TYPE}`,
    title: 'ApprovalCommandV1',
    description:
      "CloudEvent data of type io.mreg.governance.ApprovalCommand.v1 on topic mreg.governance.commands.v1: approve, reject or cancel a pending transition request, as the principal of the message's `authorization: Bearer <token>` header (a contributor or approver; the approval policy then applies exactly as over HTTP). The CloudEvent id identifies the command: a second delivery of the same id changes nothing.",
    additionalProperties: false,
  },
);
export type ApprovalCommandV1 = Shape<typeof ApprovalCommandV1>;

export const APPROVAL_COMMAND_V1 = {
  type: APPROVAL_COMMAND_V1_TYPE,
  topic: INBOUND_TOPICS.governanceCommands,
  rejectionsTopic: INBOUND_TOPICS.governanceCommandRejections,
  schema: ApprovalCommandV1,
} as const;

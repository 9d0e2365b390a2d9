import { randomUUID } from 'node:crypto';
import type { InboundMessage } from '@mreg/platform/event-bus';
import { APPROVAL_COMMAND_V1, TRAINING_RUN_COMPLETED_V1 } from '@mreg/shared/contracts';
import type { ApprovalCommandV1, MessageRejectedV1, TrainingRunCompletedV1 } from '@mreg/shared/contracts';
import { CAST } from './registry-client';

// Inbound integration messages as training pipelines and governance tooling send them: CloudEvents on Kafka,
// authenticated with a bearer token header (docs/design.md §5).

export interface CloudEventOptions {
  /** A user of the cast (their token), a raw `authorization` value, or null for no header at all. */
  readonly as?: keyof typeof CAST | { readonly authorization: string } | null;
  /** CloudEvents id (default: a new UUID). */
  readonly id?: string;
  /** Binary (ce_* headers, JSON data) or structured (application/cloudevents+json) content mode. */
  readonly mode?: 'binary' | 'structured';
  readonly type?: string;
  /** Record key (default: the model name or transition id). */
  readonly key?: string | null;
  /** Replaces the value (junk, for tests of refusals). */
  readonly rawValue?: string;
}

/** A CloudEvent record of `type` on `topic` carrying `data`. */
export function cloudEventMessage(topic: string, type: string, data: object, key: string | null, options: CloudEventOptions = {}): InboundMessage {
  const id = options.id ?? randomUUID();
  const as = options.as === undefined ? 'alice' : options.as;
  const authorization: Record<string, string> = as === null ? {} : { authorization: typeof as === 'string' ? `Bearer ${CAST[as].token}` : as.authorization };
  const attributes = { specversion: '1.0', id, source: '/e2e/pipelines', type: options.type ?? type, time: new Date().toISOString() };
  const finalKey = options.key === undefined ? key : options.key;
  if (options.mode === 'structured') {
    return {
      topic,
      key: finalKey,
      value: options.rawValue ?? JSON.stringify({ ...attributes, datacontenttype: 'application/json', data }),
      headers: { 'content-type': 'application/cloudevents+json', ...authorization },
    };
  }
  const headers = Object.fromEntries(Object.entries(attributes).map(([name, value]) => [`ce_${name}`, value]));
  return { topic, key: finalKey, value: options.rawValue ?? JSON.stringify(data), headers: { ...headers, 'content-type': 'application/json', ...authorization } };
}

/** A TrainingRunCompleted event (as alice, binary mode, keyed by model name unless told otherwise). */
export function trainingRunMessage(data: TrainingRunCompletedV1 | Record<string, unknown>, options: CloudEventOptions = {}): InboundMessage {
  const key = typeof data['model'] === 'string' ? data['model'] : null;
  return cloudEventMessage(TRAINING_RUN_COMPLETED_V1.topic, TRAINING_RUN_COMPLETED_V1.type, data, key, options);
}

/** An ApprovalCommand (as alice, binary mode, keyed by transition id unless told otherwise). */
export function approvalCommandMessage(data: ApprovalCommandV1, options: CloudEventOptions = {}): InboundMessage {
  return cloudEventMessage(APPROVAL_COMMAND_V1.topic, APPROVAL_COMMAND_V1.type, data, data.transitionId, options);
}

/** The CloudEvents id of a message these builders made. */
export function messageIdOf(message: InboundMessage): string {
  const fromHeader = message.headers['ce_id'];
  if (fromHeader !== undefined) return fromHeader;
  return (JSON.parse(message.value) as { id: string }).id;
}

/** A rejection message's value. */
export function rejectionOf(message: InboundMessage): MessageRejectedV1 {
  return JSON.parse(message.value) as MessageRejectedV1;
}

import { PUBLIC_EVENTS, PUBLIC_EVENT_ENTRIES, EVENT_EXTENSIONS } from '../integration';
import { ApprovalCommandV1, MessageRejectedV1, TrainingRunCompletedV1 } from '../messages';
import { jsonSchemaOf } from '../schema';
import type { StreamCategory } from '../streams';
import { EVENT_TOPICS, INBOUND_TOPICS } from '../topics';
import { INBOUND_CHANNELS, INBOUND_MESSAGES, INBOUND_OPERATIONS } from './inbound.asyncapi';

// docs/api/asyncapi.yaml, generated: channels and messages from the topic table and the public event
// definitions, payload schemas from the one TypeBox definition of each message and event. asyncapi.unit.spec.ts
// renders it as YAML and checks that the file is that output; `npm run asyncapi` writes it.

const KAFKA_BINDING = '0.5.0';

/** What a stream id looks like, per category: the record key and `ce_subject` of its events. */
const STREAM_TEMPLATES: Readonly<Record<StreamCategory, string>> = {
  'model-name': 'model-name-<sha256(lower-cased name)[0..40]>',
  model: 'model-<modelId>',
  version: 'version-<modelId>-<n>',
  'training-run': 'training-run-<modelId>-<sha256(runId)[0..40]>',
  policy: 'policy-<modelId>',
  transition: 'transition-<transitionId>',
  'version-transitions': 'version-transitions-<modelId>-<n>',
  webhook: 'webhook-<subscriptionId>',
  'api-token': 'api-token-<tokenId>',
  artifacts: 'artifacts-<modelId>-<n>',
  'artifact-tree': 'artifact-tree-<sha256(root)[0..40]>',
  'experiment-name': 'experiment-name-<sha256(name)[0..40]>',
  experiment: 'experiment-<experimentId>',
  run: 'run-<runId>',
  'logged-model': 'logged-model-<loggedModelId>',
};

const CONTEXT_PROSE: Readonly<Record<keyof typeof PUBLIC_EVENTS, string>> = {
  registration: 'Models, versions, stages, aliases, training-run claims.',
  governance: 'Approval policies, transition requests and API tokens.',
  artifact: 'Artifact manifests and the MLflow artifact tree.',
  tracking: "MLflow's experiments, runs and logged models.",
};

const INBOUND_CHANNEL_TOPICS: Readonly<Record<keyof typeof INBOUND_CHANNELS, string>> = {
  trainingEvents: INBOUND_TOPICS.trainingEvents,
  trainingRejections: INBOUND_TOPICS.trainingRejections,
  governanceCommands: INBOUND_TOPICS.governanceCommands,
  governanceCommandRejections: INBOUND_TOPICS.governanceCommandRejections,
};

const INFO_DESCRIPTION = `What the model registry publishes and consumes on Kafka (docs/design.md §5; docs/architecture.md, "Integration over Kafka"; decision 19).

- **Public events** (\`mreg.<context>.events.v1\`): every state change as a versioned integration event, CloudEvents 1.0 in binary content mode. The value is the event's public payload (\`<Type>V<n>\` below), never the record the log stores; \`ce_type\` names type and version (\`io.mreg.<context>.<Type>.v<n>\`), \`ce_subject\` the stream, and extension attributes carry log position (\`ce_sequence\`), stream revision, actor, correlation and the hash chain link. Record key = stream id; the partition follows the model (murmur2 of \`model-<modelId>\` for every stream of a model, of the stream id otherwise), so one aggregate's events, and all events of one model, stay in order on one partition. At least once: deduplicate by \`ce_id\`.
- **Inbound**: training pipelines' \`TrainingRunCompleted\` events and governance tooling's \`ApprovalCommand\`s, CloudEvents 1.0 in binary or structured mode, authenticated with an \`authorization: Bearer <token>\` header exactly like an HTTP call (same tokens, same roles). Nothing in a payload names the actor.
- **Rejections**: a refused inbound message changes nothing and is answered on the matching rejections topic with the HTTP error envelope's code.

Topic names are versioned; payload types carry a \`V<n>\` suffix. With \`MREG_KAFKA_NAMESPACE\` set, every topic and consumer group name is prefixed with it. Every topic has a \`<topic>.dlq\` for messages the registry failed to handle because of a fault of its own.
`;

const PUBLIC_EVENT_HEADERS = {
  type: 'object',
  additionalProperties: true,
  description: 'CloudEvents 1.0 attributes in binary content mode (Kafka protocol binding), extension attributes included.',
  required: [
    'ce_specversion',
    'ce_id',
    'ce_source',
    'ce_type',
    'ce_subject',
    'ce_time',
    'content-type',
    EVENT_EXTENSIONS.sequence,
    EVENT_EXTENSIONS.streamRevision,
    EVENT_EXTENSIONS.actor,
    EVENT_EXTENSIONS.correlationId,
    EVENT_EXTENSIONS.hash,
    EVENT_EXTENSIONS.prevHash,
  ],
  properties: {
    ce_specversion: { type: 'string', const: '1.0' },
    ce_id: { type: 'string', format: 'uuid', description: 'Unique per event: deduplicate by it (delivery is at least once).' },
    ce_source: { type: 'string', description: '/mreg/<context>' },
    ce_type: { type: 'string', description: 'io.mreg.<context>.<EventType>.v<n>: the type and version of the public payload.' },
    ce_subject: { type: 'string', description: 'The stream id (= record key).' },
    ce_time: { type: 'string', format: 'date-time', description: 'When the event occurred.' },
    'content-type': { type: 'string', const: 'application/json' },
    [EVENT_EXTENSIONS.sequence]: {
      type: 'string',
      pattern: '^[0-9]{20}$',
      description: 'Extension `sequence`: the position in the whole log, 20 digits zero-padded, so string order is log order.',
    },
    [EVENT_EXTENSIONS.streamRevision]: {
      type: 'string',
      pattern: '^[0-9]+$',
      description: 'Extension `streamrevision`: 0-based position in the stream (`ce_subject`); apply an event only when it advances what you have seen of its stream.',
    },
    [EVENT_EXTENSIONS.actor]: {
      type: 'string',
      description: 'Extension `actor`: the user who caused it (from the bearer token of the HTTP call or Kafka message).',
    },
    [EVENT_EXTENSIONS.correlationId]: {
      type: 'string',
      description: 'Extension `correlationid`: shared by everything one request or message caused (for an inbound message: its CloudEvents id).',
    },
    [EVENT_EXTENSIONS.causationId]: { type: 'string', description: 'Extension `causationid`: the event that caused this one (reactions).' },
    [EVENT_EXTENSIONS.hash]: {
      type: 'string',
      description: "Extension `hash`: the event's sha256 in its stream's tamper-evident chain, as `GET …/history` and the integrity check show it.",
    },
    [EVENT_EXTENSIONS.prevHash]: { type: 'string', description: "Extension `prevhash`: the previous event's hash in the stream ('' for the first)." },
    traceparent: { type: 'string', description: 'W3C trace context (distributed tracing extension).' },
  },
};

function publicEventParts(): { channels: object; operations: object; messages: object; schemas: object } {
  const channels: Record<string, object> = {};
  const operations: Record<string, object> = {};
  const messages: Record<string, object> = {};
  const schemas: Record<string, object> = { PublicEventHeaders: PUBLIC_EVENT_HEADERS };
  for (const context of Object.keys(PUBLIC_EVENTS) as (keyof typeof PUBLIC_EVENTS)[]) {
    const channel = `${context}Events`;
    const topic = EVENT_TOPICS[context];
    const entries = PUBLIC_EVENT_ENTRIES.filter((e) => e.context === context);
    channels[channel] = {
      address: topic,
      title: topic,
      description: `Public events of the ${context} context. ${CONTEXT_PROSE[context]} Published by the relay from the log (never in the request path), at least once, in stream order per key; the same event can arrive twice: deduplicate by \`ce_id\` or apply an event only when its \`ce_streamrevision\` advances.`,
      messages: Object.fromEntries(entries.map((e) => [e.type, { $ref: `#/components/messages/${e.type}` }])),
      bindings: { kafka: { topic, partitions: 3, bindingVersion: KAFKA_BINDING } },
    };
    operations[`publish${context[0].toUpperCase()}${context.slice(1)}Events`] = {
      action: 'send',
      channel: { $ref: `#/channels/${channel}` },
      summary: `The registry publishes every ${context} state change.`,
      messages: entries.map((e) => ({ $ref: `#/channels/${channel}/messages/${e.type}` })),
    };
    for (const { type, ceType, definition } of entries) {
      const schema = `${type}V${definition.version}`;
      const stream = STREAM_TEMPLATES[definition.stream];
      schemas[schema] = { title: schema, ...jsonSchemaOf(definition.data) };
      messages[type] = {
        name: type,
        title: type,
        summary: definition.summary,
        description: `Stream \`${stream}\`. \`ce_type: ${ceType}\`, \`ce_source: /mreg/${context}\`.`,
        contentType: 'application/json',
        headers: {
          allOf: [{ $ref: '#/components/schemas/PublicEventHeaders' }, { type: 'object', properties: { ce_type: { type: 'string', const: ceType }, ce_source: { type: 'string', const: `/mreg/${context}` } } }],
        },
        payload: { $ref: `#/components/schemas/${schema}` },
        correlationId: { $ref: '#/components/correlationIds/eventCorrelation' },
        bindings: {
          kafka: {
            key: { type: 'string', description: `The stream id (\`${stream}\`); the partition follows the model, so one aggregate's events stay in order on one partition.` },
            bindingVersion: KAFKA_BINDING,
          },
        },
      };
    }
  }
  return { channels, operations, messages, schemas };
}

/** The AsyncAPI 3.0 document of the registry's Kafka topics. */
export function asyncApiDocument(): Record<string, unknown> {
  const events = publicEventParts();
  const inboundChannels = Object.fromEntries(
    (Object.entries(INBOUND_CHANNELS) as [keyof typeof INBOUND_CHANNELS, (typeof INBOUND_CHANNELS)[keyof typeof INBOUND_CHANNELS]][]).map(([name, channel]) => {
      const topic = INBOUND_CHANNEL_TOPICS[name];
      return [name, { ...channel, address: topic, title: topic, bindings: { kafka: { ...channel.bindings.kafka, topic } } }];
    }),
  );
  return {
    asyncapi: '3.0.0',
    info: { title: 'mreg — integration over Kafka', version: '1', description: INFO_DESCRIPTION, license: { name: 'Apache-2.0' } },
    defaultContentType: 'application/json',
    servers: {
      kafka: {
        host: 'localhost:9092',
        protocol: 'kafka',
        description: 'The cluster of MREG_KAFKA_BROKERS (tools/infra/kafka.sh starts one on 127.0.0.1:9092).',
      },
    },
    channels: { ...events.channels, ...inboundChannels },
    operations: { ...events.operations, ...INBOUND_OPERATIONS },
    components: {
      schemas: {
        ...events.schemas,
        TrainingRunCompletedV1: jsonSchemaOf(TrainingRunCompletedV1),
        ApprovalCommandV1: jsonSchemaOf(ApprovalCommandV1),
        MessageRejectedV1: jsonSchemaOf(MessageRejectedV1),
      },
      messages: { ...events.messages, ...INBOUND_MESSAGES },
      correlationIds: {
        eventCorrelation: {
          description: 'Everything one request or inbound message caused shares it.',
          location: `$message.header#/${EVENT_EXTENSIONS.correlationId}`,
        },
        inboundCorrelation: {
          description: 'The CloudEvents id of an inbound message becomes the correlationId of the events it causes.',
          location: '$message.header#/ce_id',
        },
      },
    },
  };
}

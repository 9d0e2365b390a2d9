// The prose of the inbound topics in docs/api/asyncapi.yaml: channels, operations and messages of the training
// events, approval commands and their rejections. Payload schemas are references to the message definitions
// (messages/*), filled in by asyncapi.document.ts; addresses come from INBOUND_TOPICS there.

export const INBOUND_CHANNELS = {
  trainingEvents: {
    address: 'mreg.training.events.v1',
    title: 'mreg.training.events.v1',
    description:
      'Training pipelines announce completed runs. Consumed by the registration service in group `mreg.registration.training`; a message is handled at least once, and a run registers one version however often it arrives. Messages the registry cannot handle because of a fault of its own are retried, then moved to `mreg.training.events.v1.dlq`.',
    messages: {
      TrainingRunCompleted: {
        $ref: '#/components/messages/TrainingRunCompleted',
      },
      TrainingRunCompletedStructured: {
        $ref: '#/components/messages/TrainingRunCompletedStructured',
      },
    },
    bindings: {
      kafka: {
        topic: 'mreg.training.events.v1',
        partitions: 3,
        bindingVersion: '0.5.0',
      },
    },
  },
  trainingRejections: {
    address: 'mreg.training.rejections.v1',
    title: 'mreg.training.rejections.v1',
    description: "Why a training event changed nothing: not authenticated, not authorized, not a CloudEvent of the right type, invalid data, or refused by the registry's rules. Codes are those of the HTTP error envelope.",
    messages: {
      TrainingRunRejected: {
        $ref: '#/components/messages/TrainingRunRejected',
      },
    },
    bindings: {
      kafka: {
        topic: 'mreg.training.rejections.v1',
        partitions: 3,
        bindingVersion: '0.5.0',
      },
    },
  },
  governanceCommands: {
    address: 'mreg.governance.commands.v1',
    title: 'mreg.governance.commands.v1',
    description: "Governance tooling decides on transition requests. Consumed by the governance service in group `mreg.governance.commands`. Faults of the registry's own: retried, then `mreg.governance.commands.v1.dlq`.",
    messages: {
      ApprovalCommand: {
        $ref: '#/components/messages/ApprovalCommand',
      },
      ApprovalCommandStructured: {
        $ref: '#/components/messages/ApprovalCommandStructured',
      },
    },
    bindings: {
      kafka: {
        topic: 'mreg.governance.commands.v1',
        partitions: 3,
        bindingVersion: '0.5.0',
      },
    },
  },
  governanceCommandRejections: {
    address: 'mreg.governance.command-rejections.v1',
    title: 'mreg.governance.command-rejections.v1',
    description: 'Why an approval command changed nothing, one answer per command id.',
    messages: {
      ApprovalCommandRejected: {
        $ref: '#/components/messages/ApprovalCommandRejected',
      },
    },
    bindings: {
      kafka: {
        topic: 'mreg.governance.command-rejections.v1',
        partitions: 3,
        bindingVersion: '0.5.0',
      },
    },
  },
};

export const INBOUND_OPERATIONS = {
  receiveTrainingEvents: {
    action: 'receive',
    channel: {
      $ref: '#/channels/trainingEvents',
    },
    summary: 'Register a version per completed training run.',
    bindings: {
      kafka: {
        groupId: {
          type: 'string',
          const: 'mreg.registration.training',
        },
        bindingVersion: '0.5.0',
      },
    },
    messages: [
      {
        $ref: '#/channels/trainingEvents/messages/TrainingRunCompleted',
      },
      {
        $ref: '#/channels/trainingEvents/messages/TrainingRunCompletedStructured',
      },
    ],
  },
  publishTrainingRejections: {
    action: 'send',
    channel: {
      $ref: '#/channels/trainingRejections',
    },
    summary: 'Answer a refused training event.',
    messages: [
      {
        $ref: '#/channels/trainingRejections/messages/TrainingRunRejected',
      },
    ],
  },
  receiveApprovalCommands: {
    action: 'receive',
    channel: {
      $ref: '#/channels/governanceCommands',
    },
    summary: 'Approve, reject or cancel transition requests.',
    bindings: {
      kafka: {
        groupId: {
          type: 'string',
          const: 'mreg.governance.commands',
        },
        bindingVersion: '0.5.0',
      },
    },
    messages: [
      {
        $ref: '#/channels/governanceCommands/messages/ApprovalCommand',
      },
      {
        $ref: '#/channels/governanceCommands/messages/ApprovalCommandStructured',
      },
    ],
  },
  publishCommandRejections: {
    action: 'send',
    channel: {
      $ref: '#/channels/governanceCommandRejections',
    },
    summary: 'Answer a refused approval command.',
    messages: [
      {
        $ref: '#/channels/governanceCommandRejections/messages/ApprovalCommandRejected',
      },
    ],
  },
};

/** The token of an inbound message, as both content modes carry it (a new object each time: the YAML writer would alias a shared one). */
const authorizationHeader = () => ({
  type: 'string',
  pattern: '^Bearer \\S{1,512}$',
  description: "The sender's bearer token, resolved exactly like an HTTP call's `Authorization` header (same tokens, same roles). Nothing in the payload names the actor.",
});

/** The correlation id and the Kafka record key of an inbound message. */
function keyedByCorrelation(key: string) {
  return {
    correlationId: { $ref: '#/components/correlationIds/inboundCorrelation' },
    bindings: { kafka: { key: { type: 'string', description: key }, bindingVersion: '0.5.0' } },
  };
}

interface InboundMessage {
  /** The message name; the structured-mode variant is `<name>Structured`. */
  readonly name: string;
  readonly summary: string;
  readonly description: string;
  /** The CloudEvents type. */
  readonly type: string;
  /** The payload's component schema. */
  readonly schema: string;
  /** What the record key should be. */
  readonly key: string;
  readonly example: object;
}

/** An inbound message in binary content mode: CloudEvents attributes as ce_* headers, the data as the value. */
function binaryMessage({ name, summary, description, type, schema, key, example }: InboundMessage) {
  return {
    name,
    title: `${name} (binary mode)`,
    summary,
    description,
    contentType: 'application/json',
    headers: {
      type: 'object',
      additionalProperties: false,
      description: 'Binary content mode: CloudEvents attributes as ce_* headers, the data as the JSON value.',
      required: ['ce_specversion', 'ce_id', 'ce_source', 'ce_type', 'authorization'],
      properties: {
        ce_specversion: {
          type: 'string',
          const: '1.0',
        },
        ce_id: {
          type: 'string',
          minLength: 1,
          maxLength: 256,
          description: 'Unique per message; becomes the correlation id of every event it causes.',
        },
        ce_source: {
          type: 'string',
          minLength: 1,
          maxLength: 1024,
          description: 'URI-reference of the sender, e.g. /pipelines/fraud-weekly.',
        },
        ce_type: {
          type: 'string',
          const: type,
        },
        ce_time: {
          type: 'string',
          format: 'date-time',
        },
        ce_subject: {
          type: 'string',
        },
        'content-type': {
          type: 'string',
          description: 'application/json (or absent).',
        },
        authorization: authorizationHeader(),
        traceparent: {
          type: 'string',
          description: "W3C trace context; the registry's spans continue it.",
        },
      },
    },
    payload: {
      $ref: `#/components/schemas/${schema}`,
    },
    ...keyedByCorrelation(key),
    examples: [example],
  };
}

/** The same message in structured content mode: one application/cloudevents+json value. */
function structuredMessage({ name, type, schema, key }: InboundMessage, summary: string) {
  return {
    name: `${name}Structured`,
    title: `${name} (structured mode)`,
    summary,
    contentType: 'application/cloudevents+json',
    headers: {
      type: 'object',
      additionalProperties: false,
      description: 'Structured content mode: the whole CloudEvent is the value.',
      required: ['content-type', 'authorization'],
      properties: {
        'content-type': {
          type: 'string',
          const: 'application/cloudevents+json',
        },
        authorization: authorizationHeader(),
        traceparent: {
          type: 'string',
        },
      },
    },
    payload: {
      type: 'object',
      additionalProperties: true,
      required: ['specversion', 'id', 'source', 'type', 'data'],
      properties: {
        specversion: {
          type: 'string',
          const: '1.0',
        },
        id: {
          type: 'string',
          minLength: 1,
          maxLength: 256,
        },
        source: {
          type: 'string',
          minLength: 1,
        },
        type: {
          type: 'string',
          const: type,
        },
        time: {
          type: 'string',
          format: 'date-time',
        },
        subject: {
          type: 'string',
        },
        datacontenttype: {
          type: 'string',
          const: 'application/json',
        },
        data: {
          $ref: `#/components/schemas/${schema}`,
        },
      },
    },
    ...keyedByCorrelation(key),
  };
}

/** A rejection the registry publishes for an inbound message it refused. */
function rejection(name: string, summary: string, source: string, type: string, example: object) {
  return {
    name,
    title: name,
    summary,
    contentType: 'application/json',
    headers: {
      type: 'object',
      additionalProperties: false,
      description: "Never a copy of the refused message's headers (its token stays where it was).",
      required: ['ce_specversion', 'ce_id', 'ce_source', 'ce_type', 'ce_time', 'content-type'],
      properties: {
        ce_specversion: {
          type: 'string',
          const: '1.0',
        },
        ce_id: {
          type: 'string',
          format: 'uuid',
        },
        ce_source: {
          type: 'string',
          const: source,
        },
        ce_type: {
          type: 'string',
          const: type,
        },
        ce_time: {
          type: 'string',
          format: 'date-time',
        },
        ce_subject: {
          type: 'string',
          description: "The refused message's CloudEvents id (absent when it had none).",
        },
        'content-type': {
          type: 'string',
          const: 'application/json',
        },
        traceparent: {
          type: 'string',
        },
      },
    },
    payload: {
      $ref: '#/components/schemas/MessageRejectedV1',
    },
    bindings: {
      kafka: {
        key: {
          type: 'string',
          description: "The refused message's key.",
        },
        bindingVersion: '0.5.0',
      },
    },
    examples: [example],
  };
}

const TRAINING_RUN_COMPLETED: InboundMessage = {
  name: 'TrainingRunCompleted',
  summary: 'A training run finished: register its model as a new version, once per (model, runId).',
  description:
    "The model is created when missing, as the token's user (a contributor). Record key: the model name (recommended: a model's runs stay in order). Refused messages change nothing and are answered on mreg.training.rejections.v1.",
  type: 'io.mreg.training.TrainingRunCompleted.v1',
  schema: 'TrainingRunCompletedV1',
  key: 'The model name (recommended).',
  example: {
    name: 'binary',
    headers: {
      ce_specversion: '1.0',
      ce_id: '5b0e9c7e-4f1e-4a43-9d55-2d1f0c7a1b11',
      ce_source: '/pipelines/fraud-weekly',
      ce_type: 'io.mreg.training.TrainingRunCompleted.v1',
      'content-type': 'application/json',
      authorization: 'Bearer <token>',
    },
    payload: {
      model: 'fraud-detector',
      runId: 'run-8c1f',
      source: 's3://mlruns/42/artifacts/model',
      params: {
        learning_rate: '0.01',
      },
      metrics: {
        auc: 0.93,
      },
      lineage: {
        datasets: [
          {
            name: 'transactions-2026-q3',
            uri: 's3://datasets/tx/2026-q3.parquet',
          },
        ],
        codeCommit: '3f2a9c1e7b',
      },
    },
  },
};

const APPROVAL_COMMAND: InboundMessage = {
  name: 'ApprovalCommand',
  summary: "Approve, reject or cancel a pending transition request as the token's user.",
  description:
    'Roles as over HTTP (contributor or approver), then the policy decides exactly as for POST /transitions/{id}/approve|reject|cancel (e.g. nobody approves their own request: PERMISSION_DENIED). The CloudEvents id identifies the command: a second delivery of an id already handled or refused (per sender) changes nothing and is not answered again. Record key: the transition id (recommended).',
  type: 'io.mreg.governance.ApprovalCommand.v1',
  schema: 'ApprovalCommandV1',
  key: 'The transition id (recommended).',
  example: {
    name: 'approve',
    headers: {
      ce_specversion: '1.0',
      ce_id: 'cmd-2026-03-03-0001',
      ce_source: '/governance/board',
      ce_type: 'io.mreg.governance.ApprovalCommand.v1',
      'content-type': 'application/json',
      authorization: 'Bearer <token>',
    },
    payload: {
      command: 'approve',
      transitionId: '0f8fad5b-d9cb-469f-a165-70867728950e',
      comment: 'approved by the model risk board',
    },
  },
};

export const INBOUND_MESSAGES = {
  TrainingRunCompleted: binaryMessage(TRAINING_RUN_COMPLETED),
  TrainingRunCompletedStructured: structuredMessage(TRAINING_RUN_COMPLETED, 'The same event as one application/cloudevents+json value.'),
  ApprovalCommand: binaryMessage(APPROVAL_COMMAND),
  ApprovalCommandStructured: structuredMessage(APPROVAL_COMMAND, 'The same command as one application/cloudevents+json value.'),
  TrainingRunRejected: rejection('TrainingRunRejected', 'A training event the registry refused; it changed nothing.', '/mreg/registration', 'io.mreg.training.TrainingRunRejected.v1', {
    name: 'unauthenticated',
    payload: {
      code: 'UNAUTHENTICATED',
      reason: 'unknown or revoked token',
      messageId: '5b0e9c7e-4f1e-4a43-9d55-2d1f0c7a1b11',
      topic: 'mreg.training.events.v1',
      key: 'fraud-detector',
      receivedAt: '2026-03-03T10:00:00.000Z',
    },
  }),
  ApprovalCommandRejected: rejection('ApprovalCommandRejected', 'An approval command the registry refused; it changed nothing.', '/mreg/governance', 'io.mreg.governance.ApprovalCommandRejected.v1', {
    name: 'own request',
    payload: {
      code: 'PERMISSION_DENIED',
      reason: 'nobody approves their own transition request',
      messageId: 'cmd-2026-03-03-0001',
      topic: 'mreg.governance.commands.v1',
      key: '0f8fad5b-d9cb-469f-a165-70867728950e',
      receivedAt: '2026-03-03T10:00:00.000Z',
    },
  }),
};

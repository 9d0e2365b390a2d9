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

export const INBOUND_MESSAGES = {
  TrainingRunCompleted: {
    name: 'TrainingRunCompleted',
    title: 'TrainingRunCompleted (binary mode)',
    summary: 'A training run finished: register its model as a new version, once per (model, runId).',
    description:
      "The model is created when missing, as the token's user (a contributor). Record key: the model name (recommended: a model's runs stay in order). Refused messages change nothing and are answered on mreg.training.rejections.v1.",
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
          const: 'io.mreg.training.TrainingRunCompleted.v1',
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
        authorization: {
          type: 'string',
          pattern: '^Bearer \\S{1,512}$',
          description: "The sender's bearer token, resolved exactly like an HTTP call's `Authorization` header (same tokens, same roles). Nothing in the payload names the actor.",
        },
        traceparent: {
          type: 'string',
          description: "W3C trace context; the registry's spans continue it.",
        },
      },
    },
    payload: {
      $ref: '#/components/schemas/TrainingRunCompletedV1',
    },
    correlationId: {
      $ref: '#/components/correlationIds/inboundCorrelation',
    },
    bindings: {
      kafka: {
        key: {
          type: 'string',
          description: 'The model name (recommended).',
        },
        bindingVersion: '0.5.0',
      },
    },
    examples: [
      {
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
    ],
  },
  TrainingRunCompletedStructured: {
    name: 'TrainingRunCompletedStructured',
    title: 'TrainingRunCompleted (structured mode)',
    summary: 'The same event as one application/cloudevents+json value.',
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
        authorization: {
          type: 'string',
          pattern: '^Bearer \\S{1,512}$',
          description: "The sender's bearer token, resolved exactly like an HTTP call's `Authorization` header (same tokens, same roles). Nothing in the payload names the actor.",
        },
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
          const: 'io.mreg.training.TrainingRunCompleted.v1',
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
          $ref: '#/components/schemas/TrainingRunCompletedV1',
        },
      },
    },
    correlationId: {
      $ref: '#/components/correlationIds/inboundCorrelation',
    },
    bindings: {
      kafka: {
        key: {
          type: 'string',
          description: 'The model name (recommended).',
        },
        bindingVersion: '0.5.0',
      },
    },
  },
  ApprovalCommand: {
    name: 'ApprovalCommand',
    title: 'ApprovalCommand (binary mode)',
    summary: "Approve, reject or cancel a pending transition request as the token's user.",
    description:
      'Roles as over HTTP (contributor or approver), then the policy decides exactly as for POST /transitions/{id}/approve|reject|cancel (e.g. nobody approves their own request: PERMISSION_DENIED). The CloudEvents id identifies the command: a second delivery of an id already handled or refused (per sender) changes nothing and is not answered again. Record key: the transition id (recommended).',
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
          const: 'io.mreg.governance.ApprovalCommand.v1',
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
        authorization: {
          type: 'string',
          pattern: '^Bearer \\S{1,512}$',
          description: "The sender's bearer token, resolved exactly like an HTTP call's `Authorization` header (same tokens, same roles). Nothing in the payload names the actor.",
        },
        traceparent: {
          type: 'string',
          description: "W3C trace context; the registry's spans continue it.",
        },
      },
    },
    payload: {
      $ref: '#/components/schemas/ApprovalCommandV1',
    },
    correlationId: {
      $ref: '#/components/correlationIds/inboundCorrelation',
    },
    bindings: {
      kafka: {
        key: {
          type: 'string',
          description: 'The transition id (recommended).',
        },
        bindingVersion: '0.5.0',
      },
    },
    examples: [
      {
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
    ],
  },
  ApprovalCommandStructured: {
    name: 'ApprovalCommandStructured',
    title: 'ApprovalCommand (structured mode)',
    summary: 'The same command as one application/cloudevents+json value.',
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
        authorization: {
          type: 'string',
          pattern: '^Bearer \\S{1,512}$',
          description: "The sender's bearer token, resolved exactly like an HTTP call's `Authorization` header (same tokens, same roles). Nothing in the payload names the actor.",
        },
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
          const: 'io.mreg.governance.ApprovalCommand.v1',
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
          $ref: '#/components/schemas/ApprovalCommandV1',
        },
      },
    },
    correlationId: {
      $ref: '#/components/correlationIds/inboundCorrelation',
    },
    bindings: {
      kafka: {
        key: {
          type: 'string',
          description: 'The transition id (recommended).',
        },
        bindingVersion: '0.5.0',
      },
    },
  },
  TrainingRunRejected: {
    name: 'TrainingRunRejected',
    title: 'TrainingRunRejected',
    summary: 'A training event the registry refused; it changed nothing.',
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
          const: '/mreg/registration',
        },
        ce_type: {
          type: 'string',
          const: 'io.mreg.training.TrainingRunRejected.v1',
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
    examples: [
      {
        name: 'unauthenticated',
        payload: {
          code: 'UNAUTHENTICATED',
          reason: 'unknown or revoked token',
          messageId: '5b0e9c7e-4f1e-4a43-9d55-2d1f0c7a1b11',
          topic: 'mreg.training.events.v1',
          key: 'fraud-detector',
          receivedAt: '2026-03-03T10:00:00.000Z',
        },
      },
    ],
  },
  ApprovalCommandRejected: {
    name: 'ApprovalCommandRejected',
    title: 'ApprovalCommandRejected',
    summary: 'An approval command the registry refused; it changed nothing.',
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
          const: '/mreg/governance',
        },
        ce_type: {
          type: 'string',
          const: 'io.mreg.governance.ApprovalCommandRejected.v1',
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
    examples: [
      {
        name: 'own request',
        payload: {
          code: 'PERMISSION_DENIED',
          reason: 'nobody approves their own transition request',
          messageId: 'cmd-2026-03-03-0001',
          topic: 'mreg.governance.commands.v1',
          key: '0f8fad5b-d9cb-469f-a165-70867728950e',
          receivedAt: '2026-03-03T10:00:00.000Z',
        },
      },
    ],
  },
};

import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { INBOUND_TOPICS, TOPICS, ALL_EVENT_TOPICS, ALL_INBOUND_TOPICS, topicForStream } from '../topics';
import { artifactTreeKey, experimentNameKey, streamCategory, streams, trainingRunKey } from '../streams';
import { JSON_SCHEMA_DIALECT, jsonSchemaOf } from '../schema';
import { APPROVAL_COMMAND_V1, ApprovalCommandV1 } from './approval-command-v1';
import { MessageRejectedV1, REJECTION_CODES } from './message-rejected-v1';
import { TRAINING_RUN_COMPLETED_V1, TrainingRunCompletedV1 } from './training-run-completed-v1';

// Each message is one TypeBox definition: its type is derived from it (`Static`), and the schema object is its
// JSON Schema. These tests check that the schema accepts a fully populated value of the type (the `satisfies`
// makes the compiler list every field) and refuses what the HTTP rules refuse.

FormatRegistry.Set('uri', (value) => URL.canParse(value));
FormatRegistry.Set('date-time', (value) => !Number.isNaN(Date.parse(value)));

const fullTrainingRun = {
  model: 'fraud',
  runId: 'run-1',
  description: 'weekly retrain',
  source: 's3://mlruns/1/model',
  params: { lr: '0.1' },
  metrics: { auc: 0.93 },
  tags: { team: 'risk' },
  lineage: {
    datasets: [{ name: 'tx', uri: 's3://d/tx.parquet', digest: 'sha256:0123456789abcdef' }],
    codeRepository: 'https://git/x.git',
    codeCommit: 'abcdef1',
    pipeline: 'airflow://p',
  },
  signature: { inputs: [] },
} satisfies Required<TrainingRunCompletedV1>;

const fullApproval = { command: 'approve', transitionId: '00000000-0000-4000-8000-000000000000', comment: 'lgtm' } satisfies Required<ApprovalCommandV1>;

const fullRejection = {
  code: 'INVALID_ARGUMENT',
  reason: 'runId is required',
  details: [],
  messageId: 'evt-1',
  topic: INBOUND_TOPICS.trainingEvents,
  key: 'fraud',
  receivedAt: '2026-01-01T00:00:00.000Z',
} satisfies Required<MessageRejectedV1>;

describe('inbound message contracts', () => {
  it.each([
    ['TrainingRunCompletedV1', TrainingRunCompletedV1, fullTrainingRun],
    ['ApprovalCommandV1', ApprovalCommandV1, fullApproval],
    ['MessageRejectedV1', MessageRejectedV1, fullRejection],
  ] as const)('%s: the JSON Schema (draft 2020-12) accepts a full value of the type and no unknown property', (title, schema, full) => {
    const json = jsonSchemaOf(schema, { dialect: true });
    expect(json).toMatchObject({ $schema: JSON_SCHEMA_DIALECT, title, type: 'object', additionalProperties: false });
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(full).sort());
    expect(Value.Errors(schema, full).First()).toBeUndefined();
    expect(Value.Check(schema, { ...full, actor: 'someone' })).toBe(false);
    for (const required of schema.required ?? []) {
      const { [required]: _omitted, ...partial } = full as Record<string, unknown>;
      expect(Value.Check(schema, partial)).toBe(false);
    }
  });

  it('the training lineage schema has the lineage properties of the type', () => {
    expect(Object.keys(TrainingRunCompletedV1.properties.lineage.properties).sort()).toEqual(Object.keys(fullTrainingRun.lineage).sort());
    expect(TrainingRunCompletedV1.required).toEqual(['model', 'runId']);
  });

  it('refuses what the HTTP rules refuse: a ".." model name, a bad key, an unknown command', () => {
    expect(Value.Check(TrainingRunCompletedV1, { ...fullTrainingRun, model: 'a..b' })).toBe(false);
    expect(Value.Check(TrainingRunCompletedV1, { ...fullTrainingRun, tags: { ' lead': 'x' } })).toBe(false);
    expect(Value.Check(ApprovalCommandV1, { ...fullApproval, command: 'overrule' })).toBe(false);
  });

  it('the rejection codes of the schema are the codes of the type', () => {
    expect(MessageRejectedV1.properties.code.anyOf.map((s) => s.const)).toEqual(REJECTION_CODES);
  });

  it('the approval command names of the schema are those of the type', () => {
    expect(ApprovalCommandV1.properties.command.anyOf.map((s) => s.const)).toEqual(['approve', 'reject', 'cancel']);
  });

  it('each inbound message has a versioned CloudEvents type and topic', () => {
    expect(TRAINING_RUN_COMPLETED_V1).toMatchObject({
      type: 'io.mreg.training.TrainingRunCompleted.v1',
      topic: 'mreg.training.events.v1',
      rejectionsTopic: 'mreg.training.rejections.v1',
    });
    expect(APPROVAL_COMMAND_V1).toMatchObject({
      type: 'io.mreg.governance.ApprovalCommand.v1',
      topic: 'mreg.governance.commands.v1',
      rejectionsTopic: 'mreg.governance.command-rejections.v1',
    });
  });
});

describe('topics', () => {
  it('keeps the public event topics apart from the integration topics', () => {
    expect(ALL_EVENT_TOPICS).toEqual([TOPICS.registrationEvents, TOPICS.governanceEvents, TOPICS.artifactEvents, TOPICS.trackingEvents]);
    expect(ALL_INBOUND_TOPICS).toEqual(['mreg.training.events.v1', 'mreg.training.rejections.v1', 'mreg.governance.commands.v1', 'mreg.governance.command-rejections.v1']);
    for (const topic of [...ALL_EVENT_TOPICS, ...ALL_INBOUND_TOPICS]) expect(topic).toMatch(/^mreg\.[a-z]+\.[a-z-]+\.v\d+$/);
  });

  it('relays training-run claim streams on the registration topic', () => {
    const stream = streams.trainingRun('m1', trainingRunKey('run-1'));
    expect(stream).toMatch(/^training-run-m1-[0-9a-f]{40}$/);
    expect(streamCategory(stream)).toBe('training-run');
    expect(topicForStream(stream)).toBe(TOPICS.registrationEvents);
    expect(trainingRunKey('run-1')).not.toBe(trainingRunKey('Run-1'));
  });

  it('relays the tracking streams on the tracking topic and artifact trees on the artifact topic', () => {
    const cases: [string, string, string][] = [
      [streams.experimentName(experimentNameKey('Default')), 'experiment-name', TOPICS.trackingEvents],
      [streams.experiment('0'), 'experiment', TOPICS.trackingEvents],
      [streams.run('0123456789abcdef0123456789abcdef'), 'run', TOPICS.trackingEvents],
      [streams.loggedModel('m-0123456789abcdef0123456789abcdef'), 'logged-model', TOPICS.trackingEvents],
      [streams.artifactTree(artifactTreeKey('1/abc/artifacts')), 'artifact-tree', TOPICS.artifactEvents],
    ];
    for (const [stream, category, topic] of cases) {
      expect(streamCategory(stream)).toBe(category);
      expect(topicForStream(stream)).toBe(topic);
    }
    // A logged model's stream is no registered model's: the registration relay's `model-` prefix does not take it.
    expect(streams.loggedModel('m-1').startsWith('model-')).toBe(false);
    expect(experimentNameKey('Default')).not.toBe(experimentNameKey('default'));
  });
});

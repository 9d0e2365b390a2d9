import { INBOUND_TOPICS, TOPICS, ALL_EVENT_TOPICS, ALL_INBOUND_TOPICS, topicForStream } from '../topics';
import { artifactTreeKey, experimentNameKey, streamCategory, streams, trainingRunKey } from '../streams';
import { APPROVAL_COMMAND_V1, APPROVAL_COMMAND_V1_SCHEMA } from './approval-command-v1';
import type { ApprovalCommandV1 } from './approval-command-v1';
import { MESSAGE_REJECTED_V1_SCHEMA, REJECTION_CODES } from './message-rejected-v1';
import type { MessageRejectedV1 } from './message-rejected-v1';
import { TRAINING_RUN_COMPLETED_V1, TRAINING_RUN_COMPLETED_V1_SCHEMA } from './training-run-completed-v1';
import type { TrainingRunCompletedV1 } from './training-run-completed-v1';

// The TypeScript types and the JSON Schemas describe the same messages: every property of a fully populated
// value (the `satisfies` makes the compiler list them all) is a property of the schema, and nothing else is.

const fullTrainingRun = {
  model: 'fraud',
  runId: 'run-1',
  description: 'weekly retrain',
  source: 's3://mlruns/1/model',
  params: { lr: '0.1' },
  metrics: { auc: 0.93 },
  tags: { team: 'risk' },
  lineage: { datasets: [{ name: 'tx', uri: 's3://d/tx.parquet', digest: 'sha256:0123456789abcdef' }], codeRepository: 'https://git/x.git', codeCommit: 'abcdef1', pipeline: 'airflow://p' },
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
    ['TrainingRunCompletedV1', TRAINING_RUN_COMPLETED_V1_SCHEMA, fullTrainingRun],
    ['ApprovalCommandV1', APPROVAL_COMMAND_V1_SCHEMA, fullApproval],
    ['MessageRejectedV1', MESSAGE_REJECTED_V1_SCHEMA, fullRejection],
  ])('%s: the JSON Schema (draft 2020-12) has exactly the properties of the type', (title, schema, full) => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toBe(title);
    expect(schema.type).toBe('object');
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(full).sort());
    for (const required of schema.required) expect(Object.keys(full)).toContain(required);
  });

  it('the training lineage schema has the lineage properties of the type', () => {
    expect(Object.keys(TRAINING_RUN_COMPLETED_V1_SCHEMA.properties.lineage.properties).sort()).toEqual(Object.keys(fullTrainingRun.lineage).sort());
    expect(TRAINING_RUN_COMPLETED_V1_SCHEMA.required).toEqual(['model', 'runId']);
  });

  it('the rejection codes of the schema are the codes of the type', () => {
    expect(MESSAGE_REJECTED_V1_SCHEMA.properties.code.enum).toEqual(REJECTION_CODES);
  });

  it('the approval command names of the schema are those of the type', () => {
    expect(APPROVAL_COMMAND_V1_SCHEMA.properties.command.enum).toEqual(['approve', 'reject', 'cancel']);
  });

  it('each inbound message has a versioned CloudEvents type and topic', () => {
    expect(TRAINING_RUN_COMPLETED_V1).toMatchObject({ type: 'io.mreg.training.TrainingRunCompleted.v1', topic: 'mreg.training.events.v1', rejectionsTopic: 'mreg.training.rejections.v1' });
    expect(APPROVAL_COMMAND_V1).toMatchObject({ type: 'io.mreg.governance.ApprovalCommand.v1', topic: 'mreg.governance.commands.v1', rejectionsTopic: 'mreg.governance.command-rejections.v1' });
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

import { categoriesOf, modelNameKey, partitionKeyOf, streamCategory, streamContext, streams, trainingRunKey } from './streams';
import { EVENT_TOPICS, TOPICS, topicForStream } from './topics';
import { cloudEventHeaders } from './integration';

describe('the stream table', () => {
  it('gives each context its categories, so a relay takes what it owns and nothing more', () => {
    expect(categoriesOf(['registration'])).toEqual(['model-name', 'model', 'version', 'training-run']);
    expect(categoriesOf(['governance'])).toEqual(['policy', 'transition', 'version-transitions', 'webhook', 'api-token']);
    expect(categoriesOf(['artifact'])).toEqual(['artifacts', 'artifact-tree']);
    expect(categoriesOf(['tracking'])).toEqual(['experiment-name', 'experiment', 'run', 'logged-model']);
  });

  it('reads the longest prefix first: a version-transitions stream is governance, a version stream registration', () => {
    expect(streamCategory(streams.versionTransitions('m1', 1))).toBe('version-transitions');
    expect(streamContext(streams.versionTransitions('m1', 1))).toBe('governance');
    expect(streamContext(streams.version('m1', 1))).toBe('registration');
    expect(streamContext('unknown-1')).toBeUndefined();
    expect(topicForStream('unknown-1')).toBeUndefined();
  });

  it('names the topic and the CloudEvents source and type after the owning context', () => {
    expect(EVENT_TOPICS).toEqual({ registration: TOPICS.registrationEvents, governance: TOPICS.governanceEvents, artifact: TOPICS.artifactEvents, tracking: TOPICS.trackingEvents });
    const metadata = { eventId: 'e1', occurredAt: '2026-01-01T00:00:00.000Z', schemaVersion: 1, actor: 'alice', correlationId: 'c1', prevHash: '', hash: 'h' };
    const headers = cloudEventHeaders({ streamId: streams.run('r1'), streamRevision: 0, position: 1n, type: 'RunCreated', data: {}, metadata });
    expect(headers.ce_source).toBe('/mreg/tracking');
    expect(headers.ce_type).toBe('io.mreg.tracking.RunCreated.v1');
  });
});

describe('partition keys', () => {
  const modelId = '0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10';

  it("are the model's for every stream of one model, so one consumer of a group applies all of a model's events", () => {
    const keys = [streams.model(modelId), streams.version(modelId, 12), streams.artifacts(modelId, 3), streams.policy(modelId), streams.versionTransitions(modelId, 3), streams.trainingRun(modelId, trainingRunKey('run-1'))].map(
      partitionKeyOf,
    );

    expect(new Set(keys)).toEqual(new Set([`model-${modelId}`]));
  });

  it('are the stream id for streams of no one model, and for ids that carry no model id', () => {
    for (const id of [streams.transition('t-1'), streams.modelName(modelNameKey('m')), streams.run('r-1'), streams.experiment('7'), 'version-m1-1', 'unknown-1']) expect(partitionKeyOf(id)).toBe(id);
  });
});

describe('model name reservation keys', () => {
  it('are the same for names that differ only in case, so such names collide', () => {
    expect(modelNameKey('Fraud-Detector')).toBe(modelNameKey('fraud-detector'));
    expect(modelNameKey('ABC.1_x')).toBe(modelNameKey('abc.1_x'));
    expect(modelNameKey('abc.1_x')).not.toBe(modelNameKey('abc.1_y'));
    expect(modelNameKey('x')).toMatch(/^[0-9a-f]{40}$/);
  });
});

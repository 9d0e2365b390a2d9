import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { RecordedEvent } from '../events';
import { STREAM_CATEGORIES, streams } from '../streams';
import { EVENT_TOPICS } from '../topics';
import { PUBLIC_EVENT_ENTRIES, cloudEventHeaders, publicEventOf, recordedEventOfPublic } from './integration-events';

FormatRegistry.Set('uuid', (value) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value));

const modelId = '4f9c2b1e-0000-4000-8000-000000000001';
const registered: RecordedEvent = {
  streamId: streams.model(modelId),
  streamRevision: 0,
  position: 42n,
  type: 'ModelRegistered',
  data: { modelId, name: 'fraud-detector', description: '', tags: { team: 'risk' } },
  metadata: {
    eventId: '0b7e1d4a-0000-4000-8000-000000000002',
    schemaVersion: 2,
    occurredAt: '2026-03-03T10:00:00.000Z',
    actor: 'alice',
    correlationId: 'c-1',
    causationId: 'e-0',
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    prevHash: '',
    hash: 'a'.repeat(64),
  },
};

describe('public integration events', () => {
  it('defines every public event on a stream its context owns, with a topic per context', () => {
    expect(PUBLIC_EVENT_ENTRIES.length).toBeGreaterThan(25);
    for (const { context, definition } of PUBLIC_EVENT_ENTRIES) {
      expect(STREAM_CATEGORIES[definition.stream]).toBe(context);
      expect(EVENT_TOPICS[context]).toBe(`mreg.${context}.events.v1`);
    }
  });

  it('publishes the public payload under a versioned CloudEvents type: the stored schema version is not in it', () => {
    const published = publicEventOf(registered);

    expect(published).toEqual({ ceType: 'io.mreg.registration.ModelRegistered.v1', source: '/mreg/registration', data: registered.data });
    const entry = PUBLIC_EVENT_ENTRIES.find((e) => e.type === 'ModelRegistered');
    expect(entry && Value.Check(entry.definition.data, published.data)).toBe(true);
  });

  it('carries the envelope in CloudEvents attributes and reads the recorded event back from them', () => {
    const headers = cloudEventHeaders(registered);

    expect(headers).toEqual({
      ce_specversion: '1.0',
      ce_id: registered.metadata.eventId,
      ce_source: '/mreg/registration',
      ce_type: 'io.mreg.registration.ModelRegistered.v1',
      ce_subject: registered.streamId,
      ce_time: registered.metadata.occurredAt,
      'content-type': 'application/json',
      ce_sequence: '00000000000000000042',
      ce_streamrevision: '0',
      ce_actor: 'alice',
      ce_correlationid: 'c-1',
      ce_causationid: 'e-0',
      ce_hash: 'a'.repeat(64),
      ce_prevhash: '',
      traceparent: registered.metadata.traceparent,
    });
    expect(recordedEventOfPublic(headers, JSON.parse(JSON.stringify(publicEventOf(registered).data)))).toEqual({ ok: true, event: registered });
  });

  it('refuses a record that is not a public event', () => {
    const headers = cloudEventHeaders(registered);

    expect(recordedEventOfPublic({ ...headers, ce_type: 'com.example.Other' }, {})).toMatchObject({ ok: false });
    expect(recordedEventOfPublic({ ...headers, ce_streamrevision: '-1' }, {})).toMatchObject({ ok: false });
    expect(recordedEventOfPublic(headers, [1])).toMatchObject({ ok: false });
  });
});

import { cloudEventIdOf, headerOf, parseCloudEvent } from './cloudevents';
import type { CloudEventParseResult, CloudEventRecord } from './cloudevents';

const TYPE = 'io.mreg.training.TrainingRunCompleted.v1';
const DATA = { model: 'fraud', runId: 'run-1', metrics: { auc: 0.9 } };

const binary = (headers: Record<string, string> = {}, value: string = JSON.stringify(DATA)): CloudEventRecord => ({
  value,
  headers: { ce_specversion: '1.0', ce_id: 'evt-1', ce_source: '/pipelines/fraud', ce_type: TYPE, 'content-type': 'application/json', ...headers },
});

const structured = (event: Record<string, unknown> = {}, contentType: string | null = 'application/cloudevents+json'): CloudEventRecord => ({
  value: JSON.stringify({ specversion: '1.0', id: 'evt-2', source: '/pipelines/fraud', type: TYPE, datacontenttype: 'application/json', data: DATA, ...event }),
  headers: contentType === null ? {} : { 'content-type': contentType },
});

function refused(result: CloudEventParseResult): { code: string; reason: string } {
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.event)}`);
  return { code: result.code, reason: result.reason };
}

describe('parseCloudEvent', () => {
  describe('binary content mode', () => {
    it('reads the ce_* headers and the JSON data of the value', () => {
      expect(parseCloudEvent(binary({ ce_subject: 'fraud', ce_time: '2026-03-03T10:00:00.123Z' }), TYPE)).toEqual({
        ok: true,
        event: { mode: 'binary', id: 'evt-1', source: '/pipelines/fraud', type: TYPE, subject: 'fraud', time: '2026-03-03T10:00:00.123Z', data: DATA },
      });
    });

    it('accepts a missing content-type, a charset, a +json type and header names in another case', () => {
      const { 'content-type': _, ...noContentType } = binary().headers;
      expect(parseCloudEvent({ value: JSON.stringify(DATA), headers: noContentType }, TYPE).ok).toBe(true);
      expect(parseCloudEvent(binary({ 'content-type': 'application/json; charset=utf-8' }), TYPE).ok).toBe(true);
      expect(parseCloudEvent(binary({ 'content-type': 'application/vnd.mreg+json' }), TYPE).ok).toBe(true);
      const upper = { CE_SPECVERSION: '1.0', CE_ID: 'evt-9', Ce_Source: '/x', CE_TYPE: TYPE };
      expect(parseCloudEvent({ value: JSON.stringify(DATA), headers: upper }, TYPE)).toMatchObject({ ok: true, event: { id: 'evt-9' } });
    });

    it('refuses another specversion', () => {
      expect(refused(parseCloudEvent(binary({ ce_specversion: '0.3' }), TYPE))).toEqual({
        code: 'INVALID_ARGUMENT',
        reason: 'ce_specversion "0.3" is not supported: expected "1.0"',
      });
    });

    it('refuses another type: one message type per topic', () => {
      expect(refused(parseCloudEvent(binary({ ce_type: 'io.mreg.training.TrainingRunStarted.v1' }), TYPE))).toEqual({
        code: 'INVALID_ARGUMENT',
        reason: `ce_type "io.mreg.training.TrainingRunStarted.v1" is not accepted here: expected "${TYPE}"`,
      });
    });

    it('refuses a missing or empty id, source or type', () => {
      const { ce_id: _id, ...noId } = binary().headers;
      expect(refused(parseCloudEvent({ value: '{}', headers: noId }, TYPE)).reason).toBe('ce_id is missing');
      expect(refused(parseCloudEvent(binary({ ce_id: '' }), TYPE)).reason).toBe('ce_id is missing');
      expect(refused(parseCloudEvent(binary({ ce_source: '' }), TYPE)).reason).toBe('ce_source is missing');
      expect(refused(parseCloudEvent(binary({ ce_type: '' }), TYPE)).reason).toBe('ce_type is missing');
    });

    it('refuses ids with control characters or of unbounded length, and a time that is not RFC 3339', () => {
      expect(refused(parseCloudEvent(binary({ ce_id: 'a\nb' }), TYPE)).code).toBe('INVALID_ARGUMENT');
      expect(refused(parseCloudEvent(binary({ ce_id: 'x'.repeat(257) }), TYPE)).code).toBe('INVALID_ARGUMENT');
      expect(refused(parseCloudEvent(binary({ ce_time: 'yesterday' }), TYPE)).reason).toBe('ce_time must be an RFC 3339 timestamp');
    });

    it('refuses junk JSON, JSON that is not an object, and data that is not JSON', () => {
      expect(refused(parseCloudEvent(binary({}, '{"model": '), TYPE))).toEqual({ code: 'INVALID_ARGUMENT', reason: 'the value is not valid JSON' });
      expect(refused(parseCloudEvent(binary({}, ''), TYPE)).reason).toBe('the value is not valid JSON');
      expect(refused(parseCloudEvent(binary({}, '[1,2]'), TYPE)).reason).toBe('data must be a JSON object');
      expect(refused(parseCloudEvent(binary({}, 'null'), TYPE)).reason).toBe('data must be a JSON object');
      expect(refused(parseCloudEvent(binary({ 'content-type': 'application/avro' }), TYPE))).toEqual({
        code: 'UNSUPPORTED_MEDIA_TYPE',
        reason: 'content-type "application/avro" is not supported: the data must be application/json',
      });
    });
  });

  describe('structured content mode', () => {
    it('reads the event object of the value', () => {
      expect(parseCloudEvent(structured({ subject: 'fraud' }), TYPE)).toEqual({
        ok: true,
        event: { mode: 'structured', id: 'evt-2', source: '/pipelines/fraud', type: TYPE, subject: 'fraud', data: DATA },
      });
    });

    it('reads an event object without content-type when there is no ce_specversion header', () => {
      expect(parseCloudEvent(structured({}, null), TYPE)).toMatchObject({ ok: true, event: { mode: 'structured', id: 'evt-2' } });
      expect(parseCloudEvent(structured({}, 'application/json'), TYPE)).toMatchObject({ ok: true, event: { mode: 'structured' } });
      expect(parseCloudEvent(structured({}, 'application/cloudevents+json; charset=UTF-8'), TYPE).ok).toBe(true);
    });

    it('refuses another specversion, a missing one, and another type', () => {
      expect(refused(parseCloudEvent(structured({ specversion: '0.3' }), TYPE)).reason).toBe('specversion "0.3" is not supported: expected "1.0"');
      expect(refused(parseCloudEvent(structured({ specversion: undefined }), TYPE)).reason).toBe('specversion is missing');
      expect(refused(parseCloudEvent(structured({ type: 'io.mreg.other.v1' }), TYPE)).reason).toBe(`type "io.mreg.other.v1" is not accepted here: expected "${TYPE}"`);
    });

    it('refuses a missing id, attributes that are not strings, and missing or non-object data', () => {
      expect(refused(parseCloudEvent(structured({ id: undefined }), TYPE)).reason).toBe('id is missing');
      expect(refused(parseCloudEvent(structured({ id: 42 }), TYPE)).reason).toBe('id must be a string');
      expect(refused(parseCloudEvent(structured({ source: undefined }), TYPE)).reason).toBe('source is missing');
      expect(refused(parseCloudEvent(structured({ data: undefined }), TYPE)).reason).toBe('data must be a JSON object');
      expect(refused(parseCloudEvent(structured({ data: 'text' }), TYPE)).reason).toBe('data must be a JSON object');
    });

    it('refuses junk JSON, batches, base64 data and non-JSON data', () => {
      expect(refused(parseCloudEvent({ value: '{"specversion": "1.0", ', headers: { 'content-type': 'application/cloudevents+json' } }, TYPE))).toEqual({
        code: 'INVALID_ARGUMENT',
        reason: 'the value is not valid JSON',
      });
      expect(refused(parseCloudEvent({ value: '[]', headers: { 'content-type': 'application/cloudevents-batch+json' } }, TYPE)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(refused(parseCloudEvent(structured({ data: undefined, data_base64: 'e30=' }), TYPE)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(refused(parseCloudEvent(structured({ datacontenttype: 'text/plain' }), TYPE)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });
  });

  it('refuses a message that is no CloudEvent at all', () => {
    const records: CloudEventRecord[] = [
      { value: JSON.stringify(DATA), headers: {} },
      { value: 'junk', headers: { authorization: 'Bearer t' } },
      { value: '', headers: {} },
    ];
    for (const record of records) {
      expect(refused(parseCloudEvent(record, TYPE)).code).toBe('INVALID_ARGUMENT');
    }
  });
});

describe('cloudEventIdOf', () => {
  it('finds the id in a header or a structured value, and nothing in junk', () => {
    expect(cloudEventIdOf(binary())).toBe('evt-1');
    expect(cloudEventIdOf(structured())).toBe('evt-2');
    expect(cloudEventIdOf({ value: 'junk', headers: {} })).toBeUndefined();
    expect(cloudEventIdOf({ value: '{"id": 7}', headers: {} })).toBeUndefined();
    expect(cloudEventIdOf(binary({ ce_id: 'bad\u0000id' }))).toBeUndefined();
  });
});

describe('headerOf', () => {
  it('prefers the exact name and falls back to any case', () => {
    expect(headerOf({ Authorization: 'a', authorization: 'b' }, 'authorization')).toBe('b');
    expect(headerOf({ Authorization: 'a' }, 'authorization')).toBe('a');
    expect(headerOf({}, 'authorization')).toBeUndefined();
  });
});

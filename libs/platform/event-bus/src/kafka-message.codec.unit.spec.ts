import { busMessage } from '@mreg/testing/contracts';
import { UndecodableMessageError, busMessageOfInbound, decodeBusMessage, decodeHeaders, decodeInboundMessage, encodeBusMessage, inboundOfBusMessage } from './kafka-message.codec';

describe('Kafka message codec', () => {
  const record = (value: string | null, key: string | null = 'model-1') => ({
    key: key === null ? null : Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
  });

  it('round-trips an event whose position does not fit in a double', () => {
    const sent = busMessage('t', 'model-1', 1);
    const big = { ...sent, event: { ...sent.event, position: 2n ** 63n - 1n } };

    const encoded = encodeBusMessage(big);
    const decoded = decodeBusMessage('t', { key: Buffer.from(encoded.key), value: Buffer.from(encoded.value), headers: encoded.headers });

    expect(encoded.headers).toMatchObject({ ce_sequence: '09223372036854775807' });
    expect(decoded).toEqual({ ...big, headers: encoded.headers });
  });

  it('publishes the public payload as the value and the envelope as CloudEvents attributes, never the stored record', () => {
    const sent = busMessage('t', 'model-1', 3);
    const { metadata } = sent.event;

    const encoded = encodeBusMessage(sent);

    expect(JSON.parse(encoded.value)).toEqual({ seq: 3 });
    expect(encoded.headers).toEqual({
      ...sent.headers,
      ce_specversion: '1.0',
      ce_source: '/mreg/registration',
      ce_subject: 'model-1',
      ce_time: metadata.occurredAt,
      'content-type': 'application/json',
      ce_sequence: '00000000000000000004',
      ce_streamrevision: '3',
      ce_actor: metadata.actor,
      ce_correlationid: metadata.correlationId,
      ce_hash: '',
      ce_prevhash: '',
    });
  });

  it('adds traceparent from the metadata unless the publisher set the header', () => {
    const sent = busMessage('t', 'model-1', 1);
    const traced = { ...sent, event: { ...sent.event, metadata: { ...sent.event.metadata, traceparent: '00-a-b-01' } } };

    expect(encodeBusMessage(traced).headers).toMatchObject({ ...sent.headers, traceparent: '00-a-b-01' });
    expect(encodeBusMessage({ ...traced, headers: { traceparent: '00-c-d-01' } }).headers).toMatchObject({ traceparent: '00-c-d-01' });
    expect(encodeBusMessage(sent).headers).toMatchObject(sent.headers);
    expect(encodeBusMessage(sent).headers['traceparent']).toBeUndefined();
  });

  it('reads header buffers as text, the last value of a repeated header winning', () => {
    expect(decodeHeaders({ a: Buffer.from('1'), b: [Buffer.from('x'), Buffer.from('y')], c: undefined, d: 'plain' })).toEqual({ a: '1', b: 'y', d: 'plain' });
  });

  it('keys a record without a key by its stream id', () => {
    const { value, headers } = encodeBusMessage(busMessage('t', 'model-9', 1));

    expect(decodeBusMessage('t', { ...record(value, null), headers }).key).toBe('model-9');
  });

  const wire = encodeBusMessage(busMessage('t', 'model-1', 1));
  it.each([
    ['no value', null, wire.headers],
    ['not JSON', 'not json', wire.headers],
    ['not an object', '[1]', wire.headers],
    ['a position that is not a decimal', wire.value, { ...wire.headers, ce_sequence: '1.5' }],
    ['no event id', wire.value, { ...wire.headers, ce_id: '' }],
    ['no stream id', wire.value, { ...wire.headers, ce_subject: '' }],
    ['no CloudEvents attributes', wire.value, {}],
  ])('refuses a record with %s', (_label, value, headers) => {
    expect(() => decodeBusMessage('t', { ...record(value), headers })).toThrow(UndecodableMessageError);
  });

  describe('raw messages', () => {
    it('hands a record over as text, whatever it holds: no key, junk, a tombstone, repeated headers', () => {
      expect(
        decodeInboundMessage('t', {
          key: null,
          value: Buffer.from('not json ✓'),
          headers: { ce_id: Buffer.from('e1'), dup: [Buffer.from('a'), Buffer.from('b')] },
        }),
      ).toEqual({
        topic: 't',
        key: null,
        value: 'not json ✓',
        headers: { ce_id: 'e1', dup: 'b' },
      });
      expect(decodeInboundMessage('t', { key: Buffer.from('k'), value: null })).toEqual({ topic: 't', key: 'k', value: '', headers: {} });
    });

    it('reads a bus message in its wire form and back', () => {
      const sent = busMessage('t', 'model-1', 3, { ce_type: 'io.mreg.x.Counted.v1' });
      const wire = inboundOfBusMessage(sent);

      expect(wire).toMatchObject({ topic: 't', key: 'model-1', headers: sent.headers });
      expect(busMessageOfInbound(wire)).toEqual({ ...sent, headers: wire.headers });
      expect(() => busMessageOfInbound({ ...wire, headers: { ce_id: 'e1' } })).toThrow(UndecodableMessageError);
    });
  });
});

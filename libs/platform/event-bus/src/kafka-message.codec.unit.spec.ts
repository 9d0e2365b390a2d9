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

    expect(JSON.parse(encoded.value)).toMatchObject({ position: '9223372036854775807' });
    expect(decoded).toEqual(big);
  });

  it('adds traceparent from the metadata unless the publisher set the header', () => {
    const sent = busMessage('t', 'model-1', 1);
    const traced = { ...sent, event: { ...sent.event, metadata: { ...sent.event.metadata, traceparent: '00-a-b-01' } } };

    expect(encodeBusMessage(traced).headers).toEqual({ ...sent.headers, traceparent: '00-a-b-01' });
    expect(encodeBusMessage({ ...traced, headers: { traceparent: '00-c-d-01' } }).headers).toEqual({ traceparent: '00-c-d-01' });
    expect(encodeBusMessage(sent).headers).toEqual(sent.headers);
  });

  it('reads header buffers as text, the last value of a repeated header winning', () => {
    expect(decodeHeaders({ a: Buffer.from('1'), b: [Buffer.from('x'), Buffer.from('y')], c: undefined, d: 'plain' })).toEqual({ a: '1', b: 'y', d: 'plain' });
  });

  it('keys a record without a key by its stream id', () => {
    const { value } = encodeBusMessage(busMessage('t', 'model-9', 1));

    expect(decodeBusMessage('t', record(value, null)).key).toBe('model-9');
  });

  it.each([
    ['no value', null],
    ['not JSON', 'not json'],
    ['not an object', '[1]'],
    ['a number position', JSON.stringify({ streamId: 's', streamRevision: 0, position: 1, type: 'T', data: {}, metadata: { eventId: 'e' } })],
    ['no event id', JSON.stringify({ streamId: 's', streamRevision: 0, position: '1', type: 'T', data: {}, metadata: {} })],
  ])('refuses a record with %s', (_label, value) => {
    expect(() => decodeBusMessage('t', record(value))).toThrow(UndecodableMessageError);
  });

  describe('raw messages', () => {
    it('hands a record over as text, whatever it holds: no key, junk, a tombstone, repeated headers', () => {
      expect(decodeInboundMessage('t', { key: null, value: Buffer.from('not json ✓'), headers: { ce_id: Buffer.from('e1'), dup: [Buffer.from('a'), Buffer.from('b')] } })).toEqual({
        topic: 't',
        key: null,
        value: 'not json ✓',
        headers: { ce_id: 'e1', dup: 'b' },
      });
      expect(decodeInboundMessage('t', { key: Buffer.from('k'), value: null })).toEqual({ topic: 't', key: 'k', value: '', headers: {} });
    });

    it('reads a bus message in its wire form and back', () => {
      const sent = busMessage('t', 'model-1', 3, { ce_type: 'io.mreg.x.Y.v1' });
      const wire = inboundOfBusMessage(sent);

      expect(wire).toMatchObject({ topic: 't', key: 'model-1', headers: sent.headers });
      expect(busMessageOfInbound(wire)).toEqual(sent);
      expect(() => busMessageOfInbound({ ...wire, value: '{}' })).toThrow(UndecodableMessageError);
    });
  });
});

import { busMessage } from '@mreg/testing/contracts';
import { UndecodableMessageError, decodeBusMessage, decodeHeaders, encodeBusMessage } from './kafka-message.codec';

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
});

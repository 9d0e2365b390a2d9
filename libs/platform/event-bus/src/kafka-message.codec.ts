import { cloudEventHeaders, publicEventOf, recordedEventOfPublic } from '@mreg/shared/contracts';
import type { BusMessage, InboundMessage } from './event-bus.port';

/** Kafka header values as kafkajs hands them over (a Buffer each, an array when a key repeats). */
export type RawHeaders = Readonly<Record<string, Buffer | string | readonly (Buffer | string)[] | undefined>>;

/** One record as it goes to Kafka: strings only, so the codec stays independent of the client library. */
export interface EncodedRecord {
  readonly key: string;
  readonly value: string;
  readonly headers: Record<string, string>;
}

/** A record that is not a public event record; it cannot reach a handler, so it is dead-lettered as it is. */
export class UndecodableMessageError extends Error {
  override readonly name = 'UndecodableMessageError';
}

/**
 * The wire form of a bus message, a public event record (decision 19): value = the event's public payload as JSON
 * (`publicEventOf`, never the stored record), headers = its CloudEvents attributes — `ce_id`, `ce_type`,
 * `ce_subject` (stream id), `ce_time`, the extension attributes that carry log position, stream revision, actor,
 * correlation and hash chain, and the W3C `traceparent` — with the headers the publisher set taking precedence.
 */
export function encodeBusMessage(message: BusMessage): EncodedRecord {
  const { event } = message;
  return {
    key: message.key,
    value: JSON.stringify(publicEventOf(event).data),
    headers: { ...cloudEventHeaders(event), ...message.headers },
  };
}

/** The inverse of {@link encodeBusMessage}; throws {@link UndecodableMessageError} for anything else. */
export function decodeBusMessage(topic: string, record: { readonly key: Buffer | null; readonly value: Buffer | null; readonly headers?: RawHeaders }): BusMessage {
  if (record.value === null) throw new UndecodableMessageError('the record has no value');
  let parsed: unknown;
  try {
    parsed = JSON.parse(record.value.toString('utf8'));
  } catch (error: unknown) {
    throw new UndecodableMessageError(`the value is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const headers = decodeHeaders(record.headers);
  const reading = recordedEventOfPublic(headers, parsed);
  if (!reading.ok) throw new UndecodableMessageError(reading.reason);
  return {
    topic,
    // Records from other producers may lack a key; the stream id is what our publishers key by.
    key: record.key === null ? reading.event.streamId : record.key.toString('utf8'),
    event: reading.event,
    headers,
  };
}

/** Header values as strings; for a repeated key the last value wins (as a map-shaped port can only hold one). */
export function decodeHeaders(headers: RawHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  if (headers === undefined) return result;
  for (const [name, raw] of Object.entries(headers)) {
    const value: Buffer | string | undefined = isHeaderList(raw) ? raw[raw.length - 1] : raw;
    if (value === undefined) continue;
    result[name] = typeof value === 'string' ? value : value.toString('utf8');
  }
  return result;
}

function isHeaderList(value: RawHeaders[string]): value is readonly (Buffer | string)[] {
  return Array.isArray(value);
}

/**
 * A record as a raw message: key and value as UTF-8 text (a record without a value, a tombstone, as ''),
 * headers as strings. Never throws: raw handlers judge the bytes themselves.
 */
export function decodeInboundMessage(topic: string, record: { readonly key: Buffer | null; readonly value: Buffer | null; readonly headers?: RawHeaders }): InboundMessage {
  return {
    topic,
    key: record.key === null ? null : record.key.toString('utf8'),
    value: record.value === null ? '' : record.value.toString('utf8'),
    headers: decodeHeaders(record.headers),
  };
}

/** A bus message in its wire form: what a raw subscriber of an event topic sees. */
export function inboundOfBusMessage(message: BusMessage): InboundMessage {
  return { topic: message.topic, ...encodeBusMessage(message) };
}

/** A raw message read as a bus message (an event subscriber on a topic with raw traffic); throws {@link UndecodableMessageError}. */
export function busMessageOfInbound(message: InboundMessage): BusMessage {
  return decodeBusMessage(message.topic, {
    key: message.key === null ? null : Buffer.from(message.key, 'utf8'),
    value: Buffer.from(message.value, 'utf8'),
    headers: message.headers,
  });
}

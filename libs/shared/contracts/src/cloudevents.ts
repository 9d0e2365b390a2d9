/**
 * CloudEvents 1.0 over Kafka (the Kafka protocol binding), as the registry reads inbound messages:
 *
 * - binary content mode: attributes in `ce_*` headers (`ce_specversion`, `ce_id`, `ce_source`, `ce_type`, …),
 *   the data as JSON in the record value, `content-type: application/json` (or absent);
 * - structured content mode: `content-type: application/cloudevents+json`, the whole event as one JSON object
 *   in the value (`{"specversion": "1.0", "id", "source", "type", "data": {…}, …}`). A value that is such an
 *   object while no `ce_specversion` header is present is read the same way, content-type or not.
 *
 * Only JSON data is accepted (no `data_base64`, no batches), and it must be a JSON object.
 */
export const CLOUDEVENTS_SPEC_VERSION = '1.0';

/** A CloudEvent the registry accepted as well-formed; `data` still needs validating against its message type. */
export interface ReceivedCloudEvent {
  readonly mode: 'binary' | 'structured';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject?: string;
  readonly time?: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Why a message is not an acceptable CloudEvent, in the HTTP error vocabulary (400 / 415). */
export interface CloudEventProblem {
  readonly code: 'INVALID_ARGUMENT' | 'UNSUPPORTED_MEDIA_TYPE';
  readonly reason: string;
}

export type CloudEventParseResult = { readonly ok: true; readonly event: ReceivedCloudEvent } | ({ readonly ok: false } & CloudEventProblem);

/** A Kafka record as text: the value and the headers (names compared case-insensitively). */
export interface CloudEventRecord {
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

const MAX_ID = 256;
const MAX_SOURCE = 1024;
const MAX_SUBJECT = 1024;
// Printable text only: ids and sources end up in event metadata and logs.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const JSON_MEDIA_TYPE = /^application\/([a-z0-9.+-]+\+)?json\s*(;.*)?$/i;
const CLOUDEVENTS_MEDIA_TYPE = /^application\/cloudevents/i;
const STRUCTURED_JSON_MEDIA_TYPE = /^application\/cloudevents\+json\s*(;.*)?$/i;

/** A header's value; Kafka header names are case-sensitive, producers are not always careful. */
export function headerOf(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  if (Object.hasOwn(headers, name)) return headers[name];
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/**
 * Reads `record` as a CloudEvent of `expectedType` (binary or structured mode); never throws. A message of
 * another type is refused: each inbound topic carries one message type.
 */
export function parseCloudEvent(record: CloudEventRecord, expectedType: string): CloudEventParseResult {
  const contentType = headerOf(record.headers, 'content-type')?.trim();
  const specHeader = headerOf(record.headers, 'ce_specversion');
  if (contentType !== undefined && CLOUDEVENTS_MEDIA_TYPE.test(contentType)) {
    if (!STRUCTURED_JSON_MEDIA_TYPE.test(contentType)) {
      return problem('UNSUPPORTED_MEDIA_TYPE', `content-type ${quote(contentType)} is not supported: send application/cloudevents+json or binary mode`);
    }
    return parseStructured(record.value, expectedType);
  }
  if (specHeader !== undefined) return parseBinary(record, contentType, expectedType);
  const value = parseJson(record.value);
  if (isObject(value) && 'specversion' in value) return parseStructured(record.value, expectedType);
  return problem('INVALID_ARGUMENT', 'not a CloudEvent: send ce_* headers with JSON data (binary mode) or a content-type: application/cloudevents+json value (structured mode)');
}

/** The message's CloudEvents id when it has a plausible one (for rejections of messages that fail before parsing). */
export function cloudEventIdOf(record: CloudEventRecord): string | undefined {
  const fromHeader = headerOf(record.headers, 'ce_id');
  if (fromHeader !== undefined) return validId(fromHeader) ? fromHeader : undefined;
  const value = parseJson(record.value);
  if (isObject(value) && typeof value['id'] === 'string' && validId(value['id'])) return value['id'];
  return undefined;
}

function parseBinary(record: CloudEventRecord, contentType: string | undefined, expectedType: string): CloudEventParseResult {
  if (contentType !== undefined && contentType !== '' && !JSON_MEDIA_TYPE.test(contentType)) {
    return problem('UNSUPPORTED_MEDIA_TYPE', `content-type ${quote(contentType)} is not supported: the data must be application/json`);
  }
  const attributes = {
    specversion: headerOf(record.headers, 'ce_specversion'),
    id: headerOf(record.headers, 'ce_id'),
    source: headerOf(record.headers, 'ce_source'),
    type: headerOf(record.headers, 'ce_type'),
    subject: headerOf(record.headers, 'ce_subject'),
    time: headerOf(record.headers, 'ce_time'),
  };
  const checked = checkAttributes(attributes, expectedType, 'ce_');
  if (!checked.ok) return checked;
  const data = parseJson(record.value);
  if (data === INVALID_JSON) return problem('INVALID_ARGUMENT', 'the value is not valid JSON');
  if (!isObject(data)) return problem('INVALID_ARGUMENT', 'data must be a JSON object');
  return { ok: true, event: { mode: 'binary', ...checked.attributes, data } };
}

function parseStructured(text: string, expectedType: string): CloudEventParseResult {
  const value = parseJson(text);
  if (value === INVALID_JSON) return problem('INVALID_ARGUMENT', 'the value is not valid JSON');
  if (!isObject(value)) return problem('INVALID_ARGUMENT', 'a structured CloudEvent must be a JSON object');
  const attribute = (name: string): string | undefined => {
    const v = value[name];
    return typeof v === 'string' ? v : undefined;
  };
  for (const name of ['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype']) {
    if (value[name] !== undefined && typeof value[name] !== 'string') return problem('INVALID_ARGUMENT', `${name} must be a string`);
  }
  const checked = checkAttributes({ specversion: attribute('specversion'), id: attribute('id'), source: attribute('source'), type: attribute('type'), subject: attribute('subject'), time: attribute('time') }, expectedType, '');
  if (!checked.ok) return checked;
  const contentType = attribute('datacontenttype');
  if (contentType !== undefined && !JSON_MEDIA_TYPE.test(contentType)) {
    return problem('UNSUPPORTED_MEDIA_TYPE', `datacontenttype ${quote(contentType)} is not supported: the data must be application/json`);
  }
  if ('data_base64' in value) return problem('UNSUPPORTED_MEDIA_TYPE', 'data_base64 is not supported: send the data as JSON');
  const data = value['data'];
  if (!isObject(data)) return problem('INVALID_ARGUMENT', 'data must be a JSON object');
  return { ok: true, event: { mode: 'structured', ...checked.attributes, data } };
}

type Attributes = Pick<ReceivedCloudEvent, 'id' | 'source' | 'type' | 'subject' | 'time'>;

function checkAttributes(
  given: { specversion?: string; id?: string; source?: string; type?: string; subject?: string; time?: string },
  expectedType: string,
  prefix: string,
): { ok: true; attributes: Attributes } | ({ ok: false } & CloudEventProblem) {
  if (given.specversion !== CLOUDEVENTS_SPEC_VERSION) {
    return given.specversion === undefined ? problem('INVALID_ARGUMENT', `${prefix}specversion is missing`) : problem('INVALID_ARGUMENT', `${prefix}specversion ${quote(given.specversion)} is not supported: expected "1.0"`);
  }
  if (given.id === undefined || given.id === '') return problem('INVALID_ARGUMENT', `${prefix}id is missing`);
  if (!validId(given.id)) return problem('INVALID_ARGUMENT', `${prefix}id must be 1..${MAX_ID} printable characters`);
  if (given.source === undefined || given.source === '') return problem('INVALID_ARGUMENT', `${prefix}source is missing`);
  if (given.source.length > MAX_SOURCE || CONTROL.test(given.source)) return problem('INVALID_ARGUMENT', `${prefix}source must be 1..${MAX_SOURCE} printable characters`);
  if (given.type === undefined || given.type === '') return problem('INVALID_ARGUMENT', `${prefix}type is missing`);
  if (given.type !== expectedType) return problem('INVALID_ARGUMENT', `${prefix}type ${quote(given.type)} is not accepted here: expected ${quote(expectedType)}`);
  if (given.subject !== undefined && (given.subject.length > MAX_SUBJECT || CONTROL.test(given.subject))) {
    return problem('INVALID_ARGUMENT', `${prefix}subject must be at most ${MAX_SUBJECT} printable characters`);
  }
  if (given.time !== undefined && (!RFC3339.test(given.time) || Number.isNaN(Date.parse(given.time)))) {
    return problem('INVALID_ARGUMENT', `${prefix}time must be an RFC 3339 timestamp`);
  }
  return {
    ok: true,
    attributes: {
      id: given.id,
      source: given.source,
      type: given.type,
      ...(given.subject !== undefined ? { subject: given.subject } : {}),
      ...(given.time !== undefined ? { time: given.time } : {}),
    },
  };
}

function validId(id: string): boolean {
  return id.length > 0 && id.length <= MAX_ID && !CONTROL.test(id);
}

const INVALID_JSON = Symbol('invalid JSON');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return INVALID_JSON;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function problem(code: CloudEventProblem['code'], reason: string): { ok: false } & CloudEventProblem {
  return { ok: false, code, reason };
}

function quote(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}

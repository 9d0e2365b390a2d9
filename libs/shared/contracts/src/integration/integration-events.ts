import type { EventMetadata, RecordedEvent } from '../events/event';
import type { ArtifactEvent, ArtifactTreeEvent } from '../events/artifact';
import type { PolicyEvent, TransitionEvent, VersionTransitionsEvent } from '../events/governance';
import type { WebhookEvent } from '../events/webhook';
import type { ApiTokenEvent } from '../events/api-token';
import type { ModelEvent, ModelNameEvent, ModelVersionEvent, TrainingRunEvent } from '../events/model';
import type { TrackingEvent } from '../events/tracking';
import { currentSchemaVersion } from '../events/upcasters';
import type { Assert, SameKeys, Shape } from '../schema';
import { streamContext, type OwningContext } from '../streams';
import { ARTIFACT_EVENTS_V1, GOVERNANCE_EVENTS_V1, REGISTRATION_EVENTS_V1, TRACKING_EVENTS_V1 } from './public-events.v1';
import type { PublicEventDefinition } from './public-events.v1';
import { WEBHOOK_EVENTS_V1 } from './webhook-events.v1';

// Public integration events (decision 19). The log stores events with their hash chain and positions; what the
// registry publishes is each event's public payload, defined once per type and version (public-events.v1.ts),
// produced from the stored event by one mapping (`publicEventOf`), in a CloudEvent whose attributes carry the
// envelope: identity, subject (stream), time, and the extension attributes internal consumers need for
// ordering and the audit trail (`sequence`, `streamrevision`, `actor`, `correlationid`, `hash`…).

/** The public events of each context, as published on the context's topic. */
export const PUBLIC_EVENTS = {
  registration: REGISTRATION_EVENTS_V1,
  governance: { ...GOVERNANCE_EVENTS_V1, ...WEBHOOK_EVENTS_V1 },
  artifact: ARTIFACT_EVENTS_V1,
  tracking: TRACKING_EVENTS_V1,
} as const satisfies Readonly<Record<OwningContext, Readonly<Record<string, PublicEventDefinition>>>>;

type Definitions = typeof REGISTRATION_EVENTS_V1 & typeof GOVERNANCE_EVENTS_V1 & typeof WEBHOOK_EVENTS_V1 & typeof ARTIFACT_EVENTS_V1 & typeof TRACKING_EVENTS_V1;
export type PublicEventType = keyof Definitions;
/** The public payload of an event type (its current public version). */
export type PublicEventData<T extends PublicEventType> = Shape<Definitions[T]['data']>;

// ---- compile-time: every stored event type has a public definition whose payload is its stored data ---------
// The mapping below is the identity on data while this holds; when a stored shape changes (a new schema version
// with its upcaster) and this check fails, the definition gets a mapping or the public event a new version.
type StoredEvent = ModelNameEvent | ModelEvent | ModelVersionEvent | TrainingRunEvent | PolicyEvent | TransitionEvent | VersionTransitionsEvent | WebhookEvent | ApiTokenEvent | ArtifactEvent | ArtifactTreeEvent | TrackingEvent;
type StoredData = { [E in StoredEvent as E['type']]: E['data'] };
type Mismatch<Stored, Public> = [Stored] extends [Public] ? ([Public] extends [Stored] ? (SameKeys<Stored, Public> extends true ? never : 'other fields') : 'public data is not stored data') : 'stored data is not public data';
type Problems = { [T in keyof StoredData]: T extends PublicEventType ? Mismatch<StoredData[T], PublicEventData<T>> : 'no public definition' };
type Unmatched<T> = { [K in keyof T as [T[K]] extends [never] ? never : K]: T[K] };
/** Hover `Unmatched<Problems>` to see which stored types do not match their public definition, and why. */
export type PublicEventsMatchStoredEvents = Assert<[keyof Unmatched<Problems>, Exclude<PublicEventType, keyof StoredData>] extends [never, never] ? true : false>;

interface PublicEventEntry {
  readonly type: string;
  readonly context: OwningContext;
  readonly ceType: string;
  readonly definition: PublicEventDefinition;
}

const ENTRIES: readonly PublicEventEntry[] = (Object.entries(PUBLIC_EVENTS) as [OwningContext, Readonly<Record<string, PublicEventDefinition>>][]).flatMap(([context, definitions]) =>
  Object.entries(definitions).map(([type, definition]) => ({ type, context, ceType: publicEventCeType(context, type, definition.version), definition })),
);
const BY_TYPE = new Map(ENTRIES.map((e) => [e.type, e]));
const BY_CE_TYPE = new Map(ENTRIES.map((e) => [e.ceType, e]));

/** Every public event type with its context, CloudEvents type and definition (AsyncAPI, tests). */
export const PUBLIC_EVENT_ENTRIES: readonly PublicEventEntry[] = ENTRIES;

/** CloudEvents `type` of a public event: `io.mreg.<context>.<Type>.v<public version>`. */
export function publicEventCeType(context: string, type: string, version: number): string {
  return `io.mreg.${context}.${type}.v${version}`;
}
const CE_TYPE = /^io\.mreg\.[a-z-]+\.([A-Za-z][A-Za-z0-9]*)\.v[0-9]+$/;

/** A published event: its CloudEvents type and source, and the public payload. */
export interface PublicEvent {
  readonly ceType: string;
  readonly source: string;
  readonly data: object;
}

/**
 * The one mapping from a stored event (at its current schema version: the log is read through the upcasters) to
 * what the registry publishes. An event type without a public definition (none in the registry; tests use them)
 * keeps its data and gets version 1.
 */
export function publicEventOf(event: Pick<RecordedEvent, 'streamId' | 'type' | 'data'>): PublicEvent {
  const entry = BY_TYPE.get(event.type);
  const context = entry?.context ?? streamContext(event.streamId) ?? 'unknown';
  return { ceType: entry?.ceType ?? publicEventCeType(context, event.type, 1), source: `/mreg/${context}`, data: event.data };
}

/**
 * CloudEvents extension attributes of a public event (binary mode: `ce_<name>` headers). Internal consumers read
 * ordering and audit facts from them; the payload stays the public data.
 */
export const EVENT_EXTENSIONS = {
  /** Position in the whole log, 20 decimal digits zero-padded (lexicographic order = log order). */
  sequence: 'ce_sequence',
  /** 0-based revision of the event in its stream (`ce_subject`). */
  streamRevision: 'ce_streamrevision',
  /** The principal who caused the event. */
  actor: 'ce_actor',
  correlationId: 'ce_correlationid',
  causationId: 'ce_causationid',
  /** The event's link in its stream's hash chain (as the integrity check and history show it). */
  hash: 'ce_hash',
  prevHash: 'ce_prevhash',
} as const;

const SEQUENCE_DIGITS = 20;

/** CloudEvents 1.0 attributes (binary mode, `ce_` headers) of a published event, extensions included. */
export function cloudEventHeaders(event: Pick<RecordedEvent, 'streamId' | 'streamRevision' | 'position' | 'type' | 'data' | 'metadata'>): Record<string, string> {
  const published = publicEventOf(event);
  const m = event.metadata;
  return {
    ce_specversion: '1.0',
    ce_id: m.eventId,
    ce_source: published.source,
    ce_type: published.ceType,
    ce_subject: event.streamId,
    ce_time: m.occurredAt,
    'content-type': 'application/json',
    [EVENT_EXTENSIONS.sequence]: event.position.toString().padStart(SEQUENCE_DIGITS, '0'),
    [EVENT_EXTENSIONS.streamRevision]: String(event.streamRevision),
    [EVENT_EXTENSIONS.actor]: m.actor,
    [EVENT_EXTENSIONS.correlationId]: m.correlationId,
    ...(m.causationId !== undefined ? { [EVENT_EXTENSIONS.causationId]: m.causationId } : {}),
    [EVENT_EXTENSIONS.hash]: m.hash,
    [EVENT_EXTENSIONS.prevHash]: m.prevHash,
    ...(m.traceparent ? { traceparent: m.traceparent } : {}),
  };
}

export type RecordedEventReading = { readonly ok: true; readonly event: RecordedEvent } | { readonly ok: false; readonly reason: string };

/**
 * The inverse for internal consumers: a public event record (headers and parsed JSON value) as the recorded event
 * it was published from, at its type's current schema version. `traceparent` is the trace context the record
 * travels in. Never throws.
 */
export function recordedEventOfPublic(headers: Readonly<Record<string, string>>, value: unknown): RecordedEventReading {
  const header = (name: string): string | undefined => headers[name];
  const streamId = header('ce_subject');
  const ceType = header('ce_type');
  const eventId = header('ce_id');
  const occurredAt = header('ce_time');
  const sequence = header(EVENT_EXTENSIONS.sequence);
  const revision = header(EVENT_EXTENSIONS.streamRevision);
  const actor = header(EVENT_EXTENSIONS.actor);
  const correlationId = header(EVENT_EXTENSIONS.correlationId);
  const hash = header(EVENT_EXTENSIONS.hash);
  const prevHash = header(EVENT_EXTENSIONS.prevHash);
  if (streamId === undefined || streamId === '') return problem('ce_subject (the stream id) is missing');
  if (eventId === undefined || eventId === '') return problem('ce_id is missing');
  if (ceType === undefined) return problem('ce_type is missing');
  const type = BY_CE_TYPE.get(ceType)?.type ?? CE_TYPE.exec(ceType)?.[1];
  if (type === undefined) return problem(`ce_type ${JSON.stringify(ceType)} is not an mreg event type`);
  if (occurredAt === undefined) return problem('ce_time is missing');
  if (sequence === undefined || !/^[0-9]+$/.test(sequence)) return problem(`${EVENT_EXTENSIONS.sequence} is not a decimal log position`);
  if (revision === undefined || !/^[0-9]+$/.test(revision)) return problem(`${EVENT_EXTENSIONS.streamRevision} is not a decimal stream revision`);
  if (actor === undefined || correlationId === undefined || hash === undefined || prevHash === undefined) return problem('the actor, correlation id or hash chain attributes are missing');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return problem('the data is not a JSON object');
  const causationId = header(EVENT_EXTENSIONS.causationId);
  const traceparent = header('traceparent');
  const metadata: EventMetadata = {
    eventId,
    schemaVersion: currentSchemaVersion(type),
    occurredAt,
    actor,
    correlationId,
    ...(causationId !== undefined ? { causationId } : {}),
    ...(traceparent !== undefined ? { traceparent } : {}),
    prevHash,
    hash,
  };
  return { ok: true, event: { streamId, streamRevision: Number(revision), position: BigInt(sequence), type, data: value, metadata } };
}

function problem(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

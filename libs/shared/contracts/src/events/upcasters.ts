import type { Event, RecordedEvent } from './event';
import type { ModelRegistered, Tags } from './model';

// A stored event's shape changes only through an upcaster (docs/style.md rule 5, decision 19): the old shape
// keeps its type string and gets a `V<n>` type here, writers write the current schema version, and readers get
// every event upcast to the current version as it is read from the log (UpcastingEventStore), so deciders,
// projections and the public mapping only ever see current shapes.

/** Turns the data of `type` at schema version `from` into version `from + 1`. */
export interface Upcaster<Old extends Event = Event, New extends Event = Event> {
  readonly type: New['type'];
  readonly from: number;
  up(data: Old['data']): New['data'];
}

/** ModelRegistered at schema version 1: `description` and `tags` were not promised. */
export type ModelRegisteredV1 = Event<'ModelRegistered', { modelId: string; name: string; description?: string; tags?: Tags }>;

/** Version 2 always carries a description ('' for none) and tags ({} for none). */
export const modelRegisteredV1ToV2: Upcaster<ModelRegisteredV1, ModelRegistered> = {
  type: 'ModelRegistered',
  from: 1,
  up: (data) => ({ modelId: data.modelId, name: data.name, description: data.description ?? '', tags: data.tags ?? {} }),
};

/** Every upcaster, by type and version. */
export const UPCASTERS: readonly Upcaster[] = [modelRegisteredV1ToV2];

const CURRENT_VERSIONS = new Map<string, number>();
for (const u of UPCASTERS) CURRENT_VERSIONS.set(u.type, Math.max(CURRENT_VERSIONS.get(u.type) ?? 1, u.from + 1));

/** The schema version writers write for `type` (1 unless an upcaster raised it). */
export function currentSchemaVersion(type: string): number {
  return CURRENT_VERSIONS.get(type) ?? 1;
}

// The event as stored, for events that were upcast: the hash chain covers the stored form, not the upcast one.
const STORED_FORMS = new WeakMap<RecordedEvent, RecordedEvent>();

/**
 * `event` at the current schema version of its type, its metadata saying so. An event already current is
 * returned as it is; one written by a newer writer (a version this code does not know) too — it cannot be
 * downcast, and readers that need the shape fail on it rather than on a guess.
 */
export function upcast(event: RecordedEvent): RecordedEvent {
  const current = currentSchemaVersion(event.type);
  let version = event.metadata.schemaVersion;
  if (version >= current) return event;
  let data = event.data;
  while (version < current) {
    const from = version;
    const upcaster = UPCASTERS.find((u) => u.type === event.type && u.from === from);
    if (upcaster === undefined) throw new Error(`no upcaster for ${event.type} from schema version ${from}`);
    data = upcaster.up(data);
    version += 1;
  }
  const upcast: RecordedEvent = { ...event, data, metadata: { ...event.metadata, schemaVersion: version } };
  STORED_FORMS.set(upcast, STORED_FORMS.get(event) ?? event);
  return upcast;
}

/** The event as the log stores it (what its hash covers): the original of an upcast event, else the event. */
export function storedFormOf(event: RecordedEvent): RecordedEvent {
  return STORED_FORMS.get(event) ?? event;
}

import type { RecordedEvent } from '@mreg/shared/contracts';
import type { ReadStore } from '@mreg/platform/read-store';
import type { Projection } from '@mreg/platform/runtime';
import { READ_MODEL_PROJECTIONS } from './projection-catalog';
import { COLLECTIONS } from './catalog.documents';
import type { AuditEntryDoc } from './catalog.documents';

/** Pure: the audit row of an event. */
export function auditEntryOf(event: RecordedEvent): AuditEntryDoc | undefined {
  const data = event.data as Record<string, unknown>;
  if (typeof data['modelId'] !== 'string') return undefined;
  const m = event.metadata;
  return {
    id: m.eventId,
    seq: Number(event.position),
    modelId: data['modelId'],
    ...(typeof data['version'] === 'number' ? { version: data['version'] } : {}),
    streamId: event.streamId,
    revision: event.streamRevision,
    type: event.type,
    actor: m.actor,
    occurredAt: m.occurredAt,
    correlationId: m.correlationId,
    ...(m.causationId ? { causationId: m.causationId } : {}),
    data,
    hash: m.hash,
    prevHash: m.prevHash,
  };
}

/** Every event, one row each: who did what, when, to which model (the audit trail and model history). */
export class AuditTrailProjection implements Projection {
  readonly name = READ_MODEL_PROJECTIONS[3].name;
  readonly topics = READ_MODEL_PROJECTIONS[3].topics;

  constructor(private readonly store: ReadStore) {}

  async handle(event: RecordedEvent): Promise<void> {
    const entry = auditEntryOf(event);
    if (!entry) return;
    await this.store.collection<AuditEntryDoc>(COLLECTIONS.audit).apply(entry.id, event.streamId, event.streamRevision, () => entry);
  }
}

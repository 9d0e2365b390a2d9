import type { EventMetadata } from '@mreg/shared/contracts';

/**
 * A ModelRegistered event as schema version 1 stored it (no description, no tags): the fixture of the upcaster
 * tests, in the contracts lib and over a real event store.
 */
export const MODEL_REGISTERED_V1 = {
  streamId: 'model-4f9c2b1e-0000-4000-8000-000000000001',
  type: 'ModelRegistered',
  data: { modelId: '4f9c2b1e-0000-4000-8000-000000000001', name: 'fraud-detector' },
  metadata: {
    eventId: '0b7e1d4a-0000-4000-8000-000000000002',
    schemaVersion: 1,
    occurredAt: '2026-03-03T10:00:00.000Z',
    actor: 'alice',
    correlationId: 'c-1',
    prevHash: '',
  } satisfies Omit<EventMetadata, 'hash'>,
} as const;

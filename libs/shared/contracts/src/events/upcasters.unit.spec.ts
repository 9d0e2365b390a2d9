import { MODEL_REGISTERED_V1 } from '@mreg/testing/contracts';
import type { RecordedEvent } from './event';
import { currentSchemaVersion, storedFormOf, upcast } from './upcasters';

// A ModelRegistered event as schema version 1 stored it: no description, no tags.
const storedV1: RecordedEvent = {
  ...MODEL_REGISTERED_V1,
  streamRevision: 0,
  position: 17n,
  metadata: { ...MODEL_REGISTERED_V1.metadata, hash: '5d0d…stored' },
};

describe('upcasters', () => {
  it('ModelRegistered is written at schema version 2; types without an upcaster at 1', () => {
    expect(currentSchemaVersion('ModelRegistered')).toBe(2);
    expect(currentSchemaVersion('ModelRenamed')).toBe(1);
  });

  it('given a version-1 ModelRegistered without description and tags, when read, then it is version 2 with both', () => {
    const read = upcast(storedV1);

    expect(read.data).toEqual({ modelId: '4f9c2b1e-0000-4000-8000-000000000001', name: 'fraud-detector', description: '', tags: {} });
    expect(read.metadata).toEqual({ ...storedV1.metadata, schemaVersion: 2 });
    expect(read).toMatchObject({ streamId: storedV1.streamId, streamRevision: 0, position: 17n, type: 'ModelRegistered' });
  });

  it('keeps what a version-1 event did carry', () => {
    const withBoth = { ...storedV1, data: { ...storedV1.data, description: 'weekly', tags: { team: 'risk' } } };

    expect(upcast(withBoth).data).toEqual({
      modelId: '4f9c2b1e-0000-4000-8000-000000000001',
      name: 'fraud-detector',
      description: 'weekly',
      tags: { team: 'risk' },
    });
  });

  it('remembers the stored form of an upcast event (what its hash covers), and of nothing else', () => {
    const read = upcast(storedV1);

    expect(storedFormOf(read)).toBe(storedV1);
    expect(storedFormOf(storedV1)).toBe(storedV1);
  });

  it('returns a current event, one of a type without upcasters and one of a newer version unchanged', () => {
    const current = { ...storedV1, data: { ...storedV1.data, description: '', tags: {} }, metadata: { ...storedV1.metadata, schemaVersion: 2 } };
    const other = { ...storedV1, type: 'ModelRenamed', data: { modelId: 'm', from: 'a', to: 'b' } };
    const newer = { ...current, metadata: { ...current.metadata, schemaVersion: 3 } };

    expect(upcast(current)).toBe(current);
    expect(upcast(other)).toBe(other);
    expect(upcast(newer)).toBe(newer);
  });
});

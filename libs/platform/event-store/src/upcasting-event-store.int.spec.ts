import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventMetadata, RecordedEvent } from '@mreg/shared/contracts';
import { SqliteEventStore } from './sqlite-event-store';
import { computeEventHash, verifyChain } from './event-chain';
import { UpcastingEventStore } from './upcasting-event-store';
import { MODEL_REGISTERED_V1 } from '@mreg/testing/contracts';

// A log written before ModelRegistered's schema version 2: the application reads the current shape, the
// integrity check still verifies the stored bytes.

describe('UpcastingEventStore over a log with version-1 events', () => {
  let dir: string;
  let raw: SqliteEventStore;
  let store: UpcastingEventStore;
  const { streamId, data: v1Data } = MODEL_REGISTERED_V1;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mreg-upcast-'));
    raw = new SqliteEventStore(join(dir, 'events.sqlite'), { pollIntervalMs: 20 });
    store = new UpcastingEventStore(raw);
    const first: Omit<EventMetadata, 'hash'> = MODEL_REGISTERED_V1.metadata;
    const firstHash = computeEventHash({ streamId, revision: 0, type: 'ModelRegistered', data: v1Data, metadata: first });
    const second: Omit<EventMetadata, 'hash'> = { ...first, eventId: '0b7e1d4a-0000-4000-8000-000000000003', prevHash: firstHash };
    const secondData = { modelId: v1Data.modelId, description: 'weekly' };
    const secondHash = computeEventHash({ streamId, revision: 1, type: 'ModelDescriptionChanged', data: secondData, metadata: second });
    await raw.append(
      streamId,
      [
        { type: 'ModelRegistered', data: v1Data, metadata: { ...first, hash: firstHash } },
        { type: 'ModelDescriptionChanged', data: secondData, metadata: { ...second, hash: secondHash } },
      ],
      'no_stream',
    );
  });

  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a stream, the whole log and a subscription at the current schema version', async () => {
    const [registered] = await store.readStream(streamId);
    const [fromAll] = await store.readAll();
    const delivered: RecordedEvent[] = [];
    const subscription = store.subscribeAll(async (event) => void delivered.push(event));
    const deadline = Date.now() + 5000;
    while (delivered.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await subscription.close();

    for (const event of [registered, fromAll, delivered[0]]) {
      expect(event.metadata.schemaVersion).toBe(2);
      expect(event.data).toEqual({ ...v1Data, description: '', tags: {} });
    }
    expect((await raw.readStream(streamId))[0]).toMatchObject({ data: v1Data, metadata: { schemaVersion: 1 } });
  });

  it('verifies the hash chain of what is stored, not of the upcast shape', async () => {
    expect(verifyChain(await store.readStream(streamId))).toEqual({ valid: true });
    // A copy no longer knows its stored form: the upcast data is not what was hashed.
    const copies = (await store.readStream(streamId)).map((e) => ({ ...e }));
    expect(verifyChain(copies)).toEqual({ valid: false, brokenAt: 0 });
  });
});

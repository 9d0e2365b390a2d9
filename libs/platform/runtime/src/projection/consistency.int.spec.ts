import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS } from '@mreg/shared/contracts';
import { SqliteReadStore } from '@mreg/platform/read-store/sqlite';
import { Consistency } from './consistency';
import { PROGRESS_COLLECTION } from './projection-runner';

// Read-your-writes waits on the progress the projections record in the read store (a real SQLite one here).
describe('Consistency.waitFor', () => {
  let dir: string;
  let store: SqliteReadStore;
  const projections = [
    { name: 'details', topics: [TOPICS.registrationEvents] },
    { name: 'trail', topics: [TOPICS.registrationEvents, TOPICS.governanceEvents] },
  ];
  const progress = (projection: string, streamId: string, revision: number) => store.collection<{ revision: number }>(PROGRESS_COLLECTION).apply(`${projection}:${streamId}`, streamId, revision, () => ({ revision }));
  const writes = [
    { streamId: 'model-a1', revision: 3 },
    { streamId: 'version-a1-2', revision: 0 },
  ];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mreg-consistency-'));
    store = new SqliteReadStore(join(dir, 'read-models.sqlite'));
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers true at once when every projection of every written stream has applied the revision', async () => {
    for (const p of projections) for (const w of writes) await progress(p.name, w.streamId, w.revision);
    await expect(new Consistency(store, () => projections, 2000).waitFor(writes)).resolves.toBe(true);
  });

  it('waits until the last projection behind catches up, whichever it is', async () => {
    await progress('details', 'model-a1', 3);
    await progress('trail', 'model-a1', 2);
    await progress('details', 'version-a1-2', 0);
    const waiting = new Consistency(store, () => projections, 5000).waitFor(writes);
    let settled = false;
    void waiting.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 60));
    await progress('trail', 'model-a1', 3);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(settled).toBe(false);
    await progress('trail', 'version-a1-2', 0);
    await expect(waiting).resolves.toBe(true);
  });

  it('answers false when a projection is still behind at the timeout', async () => {
    for (const w of writes) await progress('details', w.streamId, w.revision);
    await progress('trail', 'model-a1', 3);
    await expect(new Consistency(store, () => projections, 100).waitFor(writes)).resolves.toBe(false);
  });

  it('does not wait for projections that do not consume the written stream', async () => {
    await expect(new Consistency(store, () => [{ name: 'inbox', topics: [TOPICS.governanceEvents] }], 100).waitFor(writes)).resolves.toBe(true);
  });
});

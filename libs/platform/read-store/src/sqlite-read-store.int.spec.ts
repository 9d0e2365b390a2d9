import { DatabaseSync } from 'node:sqlite';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeReadStoreContract } from '@mreg/testing/contracts';
import type { BoundField } from '@mreg/shared/query';
import { SqliteReadStore, jsonPath } from './sqlite-read-store';

describeReadStoreContract('SqliteReadStore (file)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mreg-read-store-'));
  const store = new SqliteReadStore(join(dir, 'read-models.db'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describeReadStoreContract('SqliteReadStore (:memory:)', async () => {
  const store = new SqliteReadStore(':memory:');
  return { store, cleanup: () => store.close() };
});

describe('SqliteReadStore', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mreg-read-store-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['', 'Models', '1models', 'models-x', 'a'.repeat(64), 'x"; DROP TABLE y; --', 'sqlite_master'.toUpperCase()])('rejects the collection name %j', async (name) => {
    const store = new SqliteReadStore(':memory:');
    try {
      expect(() => store.collection(name)).toThrow('invalid collection name');
    } finally {
      await store.close();
    }
  });

  it('accepts names that would clash with SQLite internals', async () => {
    const store = new SqliteReadStore(':memory:');
    try {
      const c = store.collection<{ id: string }>('sqlite_master');
      await c.apply('a', 's', 0, () => ({ id: 'a' }));
      await expect(c.count()).resolves.toBe(1);
    } finally {
      await store.close();
    }
  });

  it('quotes every key of a JSON path, escaping quotes and backslashes', () => {
    expect(jsonPath(['tags', 'team.name'])).toBe('$."tags"."team.name"');
    expect(jsonPath(['tags', 'say "hi" \\ bye'])).toBe('$."tags"."say \\"hi\\" \\\\ bye"');
  });

  it('finds values under keys containing quotes, backslashes and brackets', async () => {
    const store = new SqliteReadStore(':memory:');
    try {
      const docs = store.collection<{ id: string; tags: Record<string, string> }>('docs');
      const keys = ['say "hi"', 'back\\slash', '[0]', "it's", '$'];
      await docs.apply('a', 's', 0, () => ({ id: 'a', tags: Object.fromEntries(keys.map((k) => [k, 'yes'])) }));
      for (const key of keys) {
        const field: BoundField = { name: `tags.${key}`, path: ['tags', key], type: 'string' };
        await expect(docs.count({ kind: 'compare', field, op: '=', value: 'yes' })).resolves.toBe(1);
      }
    } finally {
      await store.close();
    }
  });

  it('applies atomically: another connection cannot write the document while an apply runs, and both changes are kept', async () => {
    const file = join(dir, 'read-models.db');
    const one = new SqliteReadStore(file);
    const two = new SqliteReadStore(file, { busyTimeoutMs: 50 });
    try {
      const fromOne = one.collection<{ id: string; seen: string[] }>('models');
      const fromTwo = two.collection<{ id: string; seen: string[] }>('models');
      await fromOne.apply('m', 'a', 0, () => ({ id: 'm', seen: ['a0'] }));

      let blocked: Promise<boolean> | undefined;
      const applied = await fromOne.apply('m', 'b', 0, (current) => {
        // A concurrent projector on another connection: it cannot write between this apply's read and its write.
        blocked = fromTwo.apply('m', 'c', 0, (doc) => ({ id: 'm', seen: [...(doc?.seen ?? []), 'c0'] }));
        return { id: 'm', seen: [...(current?.seen ?? []), 'b0'] };
      });
      expect(applied).toBe(true);
      await expect(blocked).rejects.toThrow(/locked|busy/i);
      // Retried once the lock is free, its change lands on top of the first.
      await expect(fromTwo.apply('m', 'c', 0, (doc) => ({ id: 'm', seen: [...(doc?.seen ?? []), 'c0'] }))).resolves.toBe(true);
      await expect(fromOne.get('m')).resolves.toEqual({ id: 'm', seen: ['a0', 'b0', 'c0'] });
      await expect(fromOne.appliedRevision('m', 'c')).resolves.toBe(0);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('honours the applied marks of documents written in the earlier format (a map in the row)', async () => {
    const file = join(dir, 'read-models.db');
    const store = new SqliteReadStore(file);
    try {
      store.collection('models');
      const raw = new DatabaseSync(file);
      raw.prepare(`INSERT INTO "rm_models" (id, doc, revisions, v) VALUES ('old', '{"id":"old","n":1}', '{"model-1":4}', 1)`).run();
      raw.close();
      const models = store.collection<{ id: string; n: number }>('models');
      await expect(models.appliedRevision('old', 'model-1')).resolves.toBe(4);
      await expect(models.apply('old', 'model-1', 4, () => ({ id: 'old', n: 2 }))).resolves.toBe(false);
      await expect(models.apply('old', 'model-1', 5, (doc) => ({ id: 'old', n: (doc?.n ?? 0) + 1 }))).resolves.toBe(true);
      await expect(models.get('old')).resolves.toEqual({ id: 'old', n: 2 });
      await expect(models.appliedRevision('old', 'model-1')).resolves.toBe(5);
    } finally {
      await store.close();
    }
  });

  it('keeps stream ids such as __proto__ as ordinary revision keys', async () => {
    const store = new SqliteReadStore(':memory:');
    try {
      const docs = store.collection<{ id: string }>('docs');
      await docs.apply('a', '__proto__', 3, () => ({ id: 'a' }));
      await expect(docs.appliedRevision('a', '__proto__')).resolves.toBe(3);
      await expect(docs.apply('a', '__proto__', 2, () => ({ id: 'a' }))).resolves.toBe(false);
    } finally {
      await store.close();
    }
  });

  it('rejects a limit below 1', async () => {
    const store = new SqliteReadStore(':memory:');
    try {
      const field: BoundField = { name: 'id', path: ['id'], type: 'string' };
      await expect(store.collection('docs').find({ sort: { field, direction: 'asc' }, limit: 0 })).rejects.toThrow(RangeError);
    } finally {
      await store.close();
    }
  });
});

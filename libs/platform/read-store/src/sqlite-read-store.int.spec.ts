import { DatabaseSync } from 'node:sqlite';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeReadStoreContract } from '@mreg/testing/contracts';
import type { BoundField, BoundFilter } from '@mreg/shared/query';
import type { FindQuery } from './read-store.port';
import { SqliteReadStore, jsonPath } from './sqlite-read-store';

describeReadStoreContract('SqliteReadStore (file, indexed)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mreg-read-store-'));
  const store = new SqliteReadStore(join(dir, 'read-models.db'));
  return {
    store,
    indexed: true,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describeReadStoreContract('SqliteReadStore (:memory:, no index)', async () => {
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

  describe('indexes', () => {
    interface Doc {
      readonly id: string;
      readonly modelId: string;
      readonly name: string;
      readonly version: number;
      readonly stage: string;
      readonly tags: Record<string, string>;
    }
    const field = (name: string, path: readonly string[], type: BoundField['type'] = 'string'): BoundField => ({ name, path, type });
    const modelId = field('modelId', ['modelId']);
    const name = field('name', ['name']);
    const version = field('version', ['version'], 'number');
    const stage = field('stage', ['stage']);
    const team = field("tags.team's", ['tags', 'team\'s "x" \\']);
    const eq = (f: BoundField, value: string | number): BoundFilter => ({ kind: 'compare', field: f, op: '=', value });
    const and = (left: BoundFilter, right: BoundFilter): BoundFilter => ({ kind: 'and', left, right });
    const doc = (i: number): Doc => ({ id: `d${String(i).padStart(4, '0')}`, modelId: `m${i % 20}`, name: `model-${i % 20}`, version: i, stage: ['development', 'staging', 'production'][i % 3], tags: { 'team\'s "x" \\': `t${i % 7}` } });

    let store: SqliteReadStore;
    const seed = async (from: number, to: number) => {
      const docs = store.collection<Doc>('versions');
      for (let i = from; i < to; i++) await docs.apply(doc(i).id, `s${i}`, 0, () => doc(i));
    };
    /** The table reads of a plan: the lines saying how SQLite reaches the rows. */
    const reads = (query: FindQuery) => store.queryPlan('versions', query).filter((line) => /^(SCAN|SEARCH) rm_/.test(line));

    beforeEach(async () => {
      store = new SqliteReadStore(join(dir, 'read-models.db'), { queryWorkers: 0 });
      await seed(0, 300);
    });

    afterEach(async () => {
      await store.close();
    });

    it('serves equality, order, a tag and a name prefix from expression indexes', async () => {
      const byModel = await store.ensureIndex('versions', [
        { path: modelId.path, type: 'string' },
        { path: version.path, type: 'number', direction: 'desc' },
      ]);
      const byStage = await store.ensureIndex('versions', [
        { path: modelId.path, type: 'string' },
        { path: stage.path, type: 'string' },
        { path: version.path, type: 'number', direction: 'desc' },
      ]);
      const byName = await store.ensureIndex('versions', [{ path: name.path, type: 'string' }]);
      const byTeam = await store.ensureIndex('versions', [{ path: team.path, type: 'string' }]);

      const newest: FindQuery = { filter: eq(modelId, 'm3'), sort: { field: version, direction: 'desc' }, limit: 5 };
      expect(reads(newest)).toEqual([`SEARCH rm_versions USING INDEX ${byModel} (<expr>=?)`]);
      expect(store.queryPlan('versions', newest).some((line) => line.includes('TEMP B-TREE'))).toBe(false);
      const inStage: FindQuery = { filter: and(eq(modelId, 'm3'), eq(stage, 'production')), sort: { field: version, direction: 'desc' }, limit: 1 };
      expect(reads(inStage)).toEqual([`SEARCH rm_versions USING INDEX ${byStage} (<expr>=? AND <expr>=?)`]);
      expect(reads({ filter: eq(name, 'model-4'), sort: { field: name, direction: 'asc' }, limit: 5 })).toEqual([`SEARCH rm_versions USING INDEX ${byName} (<expr>=?)`]);
      expect(reads({ filter: eq(team, 't3'), sort: { field: team, direction: 'asc' }, limit: 5 })).toEqual([`SEARCH rm_versions USING INDEX ${byTeam} (<expr>=?)`]);
      const prefix: FindQuery = { filter: { kind: 'like', field: name, pattern: 'model-1%', caseInsensitive: false }, sort: { field: name, direction: 'asc' }, limit: 5 };
      expect(reads(prefix)).toEqual([`SEARCH rm_versions USING INDEX ${byName} (<expr>>? AND <expr><?)`]);
      // ILIKE folds case: no range of the index holds every match.
      expect(reads({ ...prefix, filter: { kind: 'like', field: name, pattern: 'model-1%', caseInsensitive: true } })).toEqual([`SCAN rm_versions USING INDEX ${byName}`]);

      // The answers are those of the evaluator.
      const page = await store.collection<Doc>('versions').find(newest);
      expect(page.items.map((d) => d.version)).toEqual([283, 263, 243, 223, 203]);
      expect((await store.collection<Doc>('versions').find(inStage)).items.map((d) => d.version)).toEqual([263]);
      await expect(store.collection<Doc>('versions').count(eq(team, 't3'))).resolves.toBe(43);
      await expect(store.collection<Doc>('versions').count(prefix.filter)).resolves.toBe(165);
      // A second page starts in the index where the first ended.
      expect(reads({ ...newest, after: page.next })).toEqual([
        `SEARCH rm_versions USING INDEX ${byModel} (<expr>=? AND <expr>=? AND id>?)`,
        `SEARCH rm_versions USING INDEX ${byModel} (<expr>=? AND <expr><?)`,
        `SEARCH rm_versions USING INDEX ${byModel} (<expr>=? AND <expr>=?)`,
      ]);
      expect((await store.collection<Doc>('versions').find({ ...newest, after: page.next })).items.map((d) => d.version)).toEqual([183, 163, 143, 123, 103]);
    });

    it('uses the indexes of the file, also those another connection built, and keeps them through clear()', async () => {
      const other = new SqliteReadStore(join(dir, 'read-models.db'), { queryWorkers: 0 });
      try {
        // Not yet indexed: the path is a bound parameter, the table is read whole.
        expect(reads({ filter: eq(team, 't1'), sort: { field: version, direction: 'asc' }, limit: 5 })).toEqual(['SCAN rm_versions']);
        const byTeam = await other.ensureIndex('versions', [{ path: team.path, type: 'string' }]);
        await expect(other.ensureIndex('versions', [{ path: team.path, type: 'string' }])).resolves.toBe(byTeam);
        const fresh = new SqliteReadStore(join(dir, 'read-models.db'), { queryWorkers: 0 });
        try {
          expect(fresh.queryPlan('versions', { filter: eq(team, 't1'), sort: { field: version, direction: 'asc' }, limit: 5 }).filter((line) => line.includes('rm_versions'))).toEqual([`SEARCH rm_versions USING INDEX ${byTeam} (<expr>=?)`]);
          await fresh.clear();
          await expect(fresh.collection('versions').count()).resolves.toBe(0);
          await fresh.collection<Doc>('versions').apply('x', 's', 0, () => ({ ...doc(1), id: 'x' }));
          await expect(fresh.collection('versions').count(eq(team, 't1'))).resolves.toBe(1);
          expect(fresh.queryPlan('versions', { filter: eq(team, 't1'), sort: { field: version, direction: 'asc' }, limit: 5 }).some((line) => line.includes(byTeam))).toBe(true);
        } finally {
          await fresh.close();
        }
      } finally {
        await other.close();
      }
    });

    it('a unique index refuses a second document with the same value', async () => {
      const models = store.collection<{ id: string; name: string }>('models');
      await store.ensureIndex('models', [{ path: ['name'], type: 'string' }], { unique: true });
      await models.apply('a', 'model-a', 0, () => ({ id: 'a', name: 'fraud' }));
      await expect(models.apply('b', 'model-b', 0, () => ({ id: 'b', name: 'fraud' }))).rejects.toThrow(/UNIQUE/);
      await expect(models.apply('a', 'model-a', 1, () => ({ id: 'a', name: 'fraud-2' }))).resolves.toBe(true);
      await expect(models.apply('b', 'model-b', 0, () => ({ id: 'b', name: 'fraud' }))).resolves.toBe(true);
    });

    it('refuses an index without keys', async () => {
      await expect(store.ensureIndex('versions', [])).rejects.toThrow('at least one key');
    });
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FindQuery, ReadCollection, ReadStore } from '@mreg/platform/read-store';
import { SqliteReadStore } from '@mreg/platform/read-store/sqlite';
import { parseFilter } from '@mreg/shared/query';
import type { Principal } from '@mreg/shared/contracts';
import { COLLECTIONS, versionDocId } from './catalog.documents';
import { READ_MODEL_INDEXES, ensureReadModelIndexes } from './catalog.indexes';
import { CatalogQueries } from './catalog.queries';

/** A find the catalog asked for, and of which collection. */
interface SeenFind {
  readonly collection: string;
  readonly query: FindQuery;
}

/** The store as the catalog sees it, noting every find it asks for. */
function recording(store: ReadStore, seen: SeenFind[]): ReadStore {
  return {
    collection<T extends object>(name: string): ReadCollection<T> {
      const inner = store.collection<T>(name);
      return {
        get: (id) => inner.get(id),
        apply: (id, streamId, revision, change) => inner.apply(id, streamId, revision, change),
        appliedRevision: (id, streamId) => inner.appliedRevision(id, streamId),
        count: (filter) => inner.count(filter),
        find: (query) => {
          seen.push({ collection: name, query });
          return inner.find(query);
        },
      };
    },
    clear: () => store.clear(),
    close: () => store.close(),
  };
}

const MODEL = 'model-00000000-0000-4000-8000-000000000001';
const OTHER = 'model-00000000-0000-4000-8000-000000000002';
const STAGES = ['development', 'staging', 'production', 'archived'] as const;
const ADMIN: Principal = { user: 'root', roles: ['admin'] };
const READER: Principal = { user: 'carol', roles: ['reader'], groups: ['risk'] };

describe('the catalog read models in SQLite: every default list and lookup reads through an index', () => {
  let dir: string;
  let store: SqliteReadStore;
  let catalog: CatalogQueries;
  const seen: SeenFind[] = [];
  /** Index names by the READ_MODEL_INDEXES entry's `serves`. */
  const names = new Map<string, string>();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mreg-catalog-indexes-'));
    store = new SqliteReadStore(join(dir, 'read-models.db'), { queryWorkers: 0 });
    await ensureReadModelIndexes(store);
    // Asked again: the same names come back, nothing is rebuilt.
    for (const index of READ_MODEL_INDEXES) names.set(index.serves, await store.ensureIndex(index.collection, index.keys));
    catalog = new CatalogQueries(recording(store, seen));

    const at = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString();
    const models = store.collection(COLLECTIONS.models);
    for (const [i, modelId] of [MODEL, OTHER].entries()) {
      const name = `fraud-${i}`;
      await models.apply(modelId, `model-${modelId}`, 0, () => ({
        id: modelId,
        modelId,
        name,
        description: '',
        tags: {},
        aliases: {},
        latestVersion: 60,
        versionCount: 60,
        createdAt: at(0),
        createdBy: 'u',
        updatedAt: at(0),
        updatedBy: 'u',
        status: 'active',
      }));
    }
    const versions = store.collection(COLLECTIONS.versions);
    const audit = store.collection(COLLECTIONS.audit);
    const transitions = store.collection(COLLECTIONS.transitions);
    for (let n = 0; n < 120; n++) {
      const modelId = n % 2 === 0 ? MODEL : OTHER;
      const modelName = modelId === MODEL ? 'fraud-0' : 'fraud-1';
      const version = Math.floor(n / 2) + 1;
      const id = versionDocId(modelId, version);
      const stage = STAGES[n % 4];
      await versions.apply(id, `version-${id}`, 0, () => ({
        id,
        modelId,
        modelName,
        version,
        nameOrder: `${modelName}:${9_999_999_999 - version}`,
        stage,
        aliases: [],
        tags: { batch: String(n % 10) },
        params: {},
        metrics: {},
        lineage: {},
        artifactCount: 0,
        artifactBytes: 0,
        createdAt: at(n),
        createdBy: 'u',
        updatedAt: at(n),
        updatedBy: 'u',
        status: 'active',
      }));
      await audit.apply(`event-${n}`, `version-${id}`, 0, () => ({
        id: `event-${n}`,
        seq: n,
        modelId,
        version,
        streamId: `version-${id}`,
        revision: 0,
        type: 'ModelVersionCreated',
        actor: 'u',
        occurredAt: at(n),
        correlationId: 'c',
        data: {},
        hash: 'h',
        prevHash: 'p',
      }));
      if (n % 3 === 0)
        await transitions.apply(`t-${n}`, `transition-${n}`, 0, () => ({
          id: `t-${n}`,
          transitionId: `t-${n}`,
          modelId,
          modelName,
          version,
          fromStage: 'development',
          toStage: 'staging',
          status: n % 2 === 0 ? 'pending' : 'applied',
          requestedBy: 'u',
          requestedAt: at(n),
          comment: '',
          archiveExisting: false,
          requiredApprovals: 1,
          approverRole: 'approver',
          approvals: [],
          updatedAt: at(n),
        }));
    }
  });

  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** The plan of each find `read` asked for (and of its second page, when there is one), with the finds' results. */
  async function plansOf(read: () => Promise<unknown>): Promise<string[][]> {
    seen.length = 0;
    await read();
    return seen.map(({ collection, query }) => store.queryPlan(collection, query));
  }

  const MODEL_VERSIONS = "a model's versions, newest first (the default order); all ids of a model's versions (rename, deletion)";
  const IN_STAGE = "a model's versions in a stage; the latest version per stage";
  const NEWEST = 'versions of all models, newest first (the default order)';
  const BY_NAME = "MLflow's version search by model name, in its default order";
  const MODEL_NAMES = 'models by name (the default order), a name, a name prefix (LIKE)';
  const HISTORY = "a model's history in log order (the default order)";
  const VERSION_HISTORY = "a version's history in log order";

  /**
   * Every step reading the table goes through `index`, without sorting what it read; the last find (a later page,
   * when there are two) searches a part of the index, or, when `search` is false, reads it in order from the start
   * (and stops at the page's end).
   */
  function expectIndexed(plans: string[][], index: string, search = true, sorts: readonly string[] = []): void {
    expect(plans.length).toBeGreaterThan(0);
    const name = names.get(index);
    plans.forEach((plan, n) => {
      const reads = plan.filter((line) => /^(SCAN|SEARCH) rm_/.test(line));
      expect(reads.length).toBeGreaterThan(0);
      const how = n < plans.length - 1 ? '(SCAN|SEARCH)' : search ? 'SEARCH' : 'SCAN';
      for (const line of reads) expect(line).toMatch(new RegExp(`^${how} rm_\\w+ USING INDEX ${name}\\b`));
      // Runs of a keyset page are merged by a small sort of their rows; one query alone must come in index order.
      if (!plan.some((line) => line.startsWith('COMPOUND'))) expect(plan.filter((line) => line.includes('TEMP B-TREE'))).toEqual(sorts);
    });
  }

  it.each([
    ['versions of one model, ordered by version', () => catalog.listVersions({}, ADMIN, MODEL), MODEL_VERSIONS, true],
    ['versions of one model, second page', () => catalog.listVersions({ pageSize: '5' }, ADMIN, MODEL).then((page) => catalog.listVersions({ pageSize: '5', pageToken: page.nextPageToken ?? '' }, ADMIN, MODEL)), MODEL_VERSIONS, true],
    ['versions of one model filtered by stage', () => catalog.listVersions({ filter: "stage = 'staging'" }, ADMIN, MODEL), IN_STAGE, true],
    ['versions of one model, latest registered first', () => catalog.listVersions({ orderBy: 'createdAt desc' }, ADMIN, MODEL), "a model's versions, latest registered first (orderBy=createdAt desc)", true],
    // Oldest first, against the index's order: read backwards, ties of a version (none) are put in id order.
    ['versions of one model in a stage (transitions)', () => catalog.versionsInStage(MODEL, 'production'), IN_STAGE, true, ['USE TEMP B-TREE FOR LAST TERM OF ORDER BY']],
    ['the latest version per stage', () => catalog.latestInStages(MODEL, STAGES), IN_STAGE, true],
    ['versions of all models, newest first', () => catalog.listVersions({}, ADMIN), NEWEST, false],
    ['versions of all models, second page', () => catalog.listVersions({ pageSize: '7' }, ADMIN).then((page) => catalog.listVersions({ pageSize: '7', pageToken: page.nextPageToken ?? '' }, ADMIN)), NEWEST, true],
    ["MLflow's search of a model's versions", () => catalog.searchVersions(parseFilter("name = 'fraud-0'"), 'k', {}, 1000, ADMIN), BY_NAME, true],
    ["MLflow's search of a model's versions with a tag", () => catalog.searchVersions(parseFilter("name = 'fraud-0' AND tags.batch = '4'"), 'k', {}, 1000, ADMIN), BY_NAME, true],
    ['models by name', () => catalog.listModels({}, ADMIN), MODEL_NAMES, false],
    ['a model by name', () => catalog.searchModels(parseFilter("name = 'fraud-1'"), 'k', {}, ADMIN), MODEL_NAMES, true],
    ['models by a name prefix', () => catalog.listModels({ filter: "name LIKE 'fraud-%'" }, ADMIN), MODEL_NAMES, true],
    ["a model's history", () => catalog.history(MODEL, {}), HISTORY, true],
    ["a version's history", () => catalog.history(MODEL, {}, 3), VERSION_HISTORY, true],
    ['the registry-wide history, newest first', () => catalog.registryHistory({}, ADMIN), 'the registry-wide history, newest first (the default order)', false],
    ['transitions in a status', () => catalog.listTransitions({ status: 'pending' }, ADMIN), 'transition requests in a status (the inbox), newest first', true],
    ["a model's transitions", () => catalog.listTransitions({ modelId: MODEL }, ADMIN), "a model's transition requests, newest first", true],
    ['transitions, newest first', () => catalog.listTransitions({}, ADMIN), 'transition requests, newest first (the default order)', false],
    ['deleted models', () => catalog.listDeletedModels({}, ADMIN), 'deleted models, latest deletion first', false],
    // A caller who is not an admin reads the same index: who may read is one more condition on each row.
    ['models by name, for a reader', () => catalog.listModels({}, READER), MODEL_NAMES, false],
  ] as const)('%s', async (_title, read, index, search, ...sorts: (readonly string[])[]) => {
    expectIndexed(await plansOf(read), index, search, sorts[0]);
  });

  it('a tag equality reads the model through its index and checks the tag on its versions only', async () => {
    const plans = await plansOf(() => catalog.listVersions({ filter: "tags.batch = '4' AND tags.batch != '5'" }, ADMIN, MODEL));
    expectIndexed(plans, MODEL_VERSIONS);
    const page = await catalog.listVersions({ filter: "tags.batch = '4'" }, ADMIN, MODEL);
    expect(page.items.map((v) => v.version)).toEqual([58, 53, 48, 43, 38, 33, 28, 23, 18, 13, 8, 3]);
  });

  it('the ids of all versions of a model (rename, deletion) are read through the model index', () => {
    const field = { name: 'modelId', path: ['modelId'], type: 'string' as const };
    const plan = store.queryPlan(COLLECTIONS.versions, { filter: { kind: 'compare', field, op: '=', value: MODEL }, sort: { field: { name: 'version', path: ['version'], type: 'number' }, direction: 'desc' }, limit: 500 });
    expectIndexed([plan], MODEL_VERSIONS);
  });

  it('pages read through the indexes return what they did without them', async () => {
    const plain = new SqliteReadStore(':memory:');
    try {
      const copy = async (collection: string) => {
        for (const doc of (await store.collection<{ id: string }>(collection).find({ sort: { field: { name: 'id', path: ['id'], type: 'string' }, direction: 'asc' }, limit: 1000 })).items) {
          await plain.collection(collection).apply(doc.id, 'copy', 0, () => doc);
        }
      };
      for (const collection of Object.values(COLLECTIONS)) await copy(collection);
      const unindexed = new CatalogQueries(plain);
      const everyPage = async (queries: CatalogQueries) => {
        const versions: number[] = [];
        let pageToken: string | null = null;
        do {
          const page = await queries.listVersions({ pageSize: '7', filter: "tags.batch != '4'", ...(pageToken ? { pageToken } : {}) }, ADMIN, MODEL);
          versions.push(...page.items.map((v) => v.version));
          pageToken = page.nextPageToken;
        } while (pageToken !== null);
        return versions;
      };
      const expected = await everyPage(unindexed);
      expect(expected).toHaveLength(48);
      await expect(everyPage(catalog)).resolves.toEqual(expected);
      await expect(catalog.listModels({ filter: "name LIKE 'fraud-%'" }, ADMIN)).resolves.toEqual(await unindexed.listModels({ filter: "name LIKE 'fraud-%'" }, ADMIN));
      await expect(catalog.latestInStages(MODEL, STAGES)).resolves.toEqual(await unindexed.latestInStages(MODEL, STAGES));
    } finally {
      await plain.close();
    }
  });
});

import { matchesFilter, type BatchedChange, type Cursor, type FindQuery, type ReadCollection, type ReadStore, type SortSpec } from '@mreg/platform/read-store';
import type { BoundField, BoundFilter, CompareOp, Literal } from '@mreg/shared/query';
import { uniqueSuffix, withFixture } from './contract-helpers';

export interface ReadStoreContractFixture {
  /** A store for this suite alone: the suite ends by calling clear(), which empties every collection. */
  readonly store: ReadStore;
  /**
   * Run the queries with an index on every field, in both directions (store.ensureIndex): indexes must change how
   * fast a query is answered, never what it answers.
   */
  readonly indexed?: boolean;
  cleanup(): Promise<void>;
}

/** The documents the filter and sort tests run on; shaped like the registry's model read model. */
export interface ContractDoc {
  readonly id: string;
  readonly name: string;
  readonly stage: string;
  readonly versions: number;
  readonly createdAt: string;
  readonly code?: string;
  readonly metrics?: Readonly<Record<string, unknown>>;
  readonly tags: Readonly<Record<string, unknown>>;
}

const field = (name: string, path: readonly string[], type: BoundField['type']): BoundField => ({ name, path, type });

export const CONTRACT_FIELDS = {
  name: field('name', ['name'], 'string'),
  stage: field('stage', ['stage'], 'string'),
  versions: field('versions', ['versions'], 'number'),
  createdAt: field('createdAt', ['createdAt'], 'timestamp'),
  code: field('code', ['code'], 'string'),
  auc: field('metrics.auc', ['metrics', 'auc'], 'number'),
  teamName: field('tags.team.name', ['tags', 'team.name'], 'string'),
  costCenter: field('tags.cost-center', ['tags', 'cost-center'], 'string'),
  equipe: field('tags.équipe', ['tags', 'équipe'], 'string'),
} as const;

/** Nine models with the awkward cases: wrong types, nulls, missing values, ties, case, unicode, dotted keys. */
export const CONTRACT_DOCS: readonly ContractDoc[] = [
  { id: 'd01', name: 'fraud-detector', stage: 'production', versions: 10, code: '10', createdAt: '2025-01-05T10:00:00.000Z', metrics: { auc: 0.95 }, tags: { 'team.name': 'risk', 'cost-center': 'cc-1', équipe: 'données' } },
  { id: 'd02', name: 'Fraud-Scorer', stage: 'staging', versions: 9, code: '9', createdAt: '2025-02-01T00:00:00.000Z', metrics: { auc: 0.91 }, tags: { 'team.name': 'risk' } },
  { id: 'd03', name: 'fraud_v2', stage: 'development', versions: 2, code: '100', createdAt: '2024-12-31T23:59:59.999Z', metrics: { auc: 0.85 }, tags: { 'cost-center': 'cc-2' } },
  // A string where a number is expected: never matches a number predicate, sorts as missing.
  { id: 'd04', name: 'churn-model', stage: 'production', versions: 1, code: 'abc', createdAt: '2025-03-03T09:00:00.000Z', metrics: { auc: '0.99' }, tags: { 'team.name': 'growth', équipe: 'croissance' } },
  { id: 'd05', name: 'CHURN', stage: 'archived', versions: 3, createdAt: '2025-03-03T12:00:00.000Z', tags: {} },
  { id: 'd06', name: 'ÉCOLE-model', stage: 'development', versions: 0, createdAt: '2024-06-01T00:00:00.000Z', metrics: { auc: 0.5 }, tags: { 'team.name': 'risk.ops' } },
  { id: 'd07', name: '100%_sure', stage: 'staging', versions: -1, createdAt: '2025-01-01T00:00:00.001Z', metrics: { auc: null }, tags: {} },
  { id: 'd08', name: 'fraudé', stage: 'production', versions: 10, createdAt: '2025-01-05T10:00:00.000Z', metrics: { auc: 0.95 }, tags: { équipe: 'risque' } },
  // Nested objects, not a key containing a dot: `tags.team.name` must not find this one.
  { id: 'd09', name: 'nested-tags', stage: 'development', versions: 5, createdAt: '2025-01-01T00:00:00.000Z', tags: { team: { name: 'risk' } } },
];

const F = CONTRACT_FIELDS;
const cmp = (f: BoundField, op: CompareOp, value: Literal): BoundFilter => ({ kind: 'compare', field: f, op, value });
const like = (f: BoundField, pattern: string, caseInsensitive = false): BoundFilter => ({
  kind: 'like',
  field: f,
  pattern,
  caseInsensitive,
});
const notLike = (f: BoundField, pattern: string, caseInsensitive = false): BoundFilter => ({
  kind: 'like',
  field: f,
  pattern,
  caseInsensitive,
  negated: true,
});
const anyOf = (f: BoundField, values: readonly Literal[]): BoundFilter => ({ kind: 'in', field: f, values });
const and = (left: BoundFilter, right: BoundFilter): BoundFilter => ({ kind: 'and', left, right });
const or = (left: BoundFilter, right: BoundFilter): BoundFilter => ({ kind: 'or', left, right });
const not = (filter: BoundFilter): BoundFilter => ({ kind: 'not', filter });

/** [description, filter, ids expected] — the filter semantics every adapter implements. */
const FILTER_CASES: readonly (readonly [string, BoundFilter, readonly string[]])[] = [
  ["stage = 'production'", cmp(F.stage, '=', 'production'), ['d01', 'd04', 'd08']],
  ["stage != 'production'", cmp(F.stage, '!=', 'production'), ['d02', 'd03', 'd05', 'd06', 'd07', 'd09']],
  ['metrics.auc >= 0.9 (a string "0.99" is not a number)', cmp(F.auc, '>=', 0.9), ['d01', 'd02', 'd08']],
  ['metrics.auc < 0.9 (missing and null match nothing)', cmp(F.auc, '<', 0.9), ['d03', 'd06']],
  ['metrics.auc != 0.95 (missing, null and wrong type excluded)', cmp(F.auc, '!=', 0.95), ['d02', 'd03', 'd06']],
  ['metrics.auc = 0.95', cmp(F.auc, '=', 0.95), ['d01', 'd08']],
  ['versions > 9 compares numbers, not text', cmp(F.versions, '>', 9), ['d01', 'd08']],
  ['versions <= 0 with negative numbers', cmp(F.versions, '<=', 0), ['d06', 'd07']],
  ["code > '9' compares text, not numbers", cmp(F.code, '>', '9'), ['d04']],
  ["code < '9' compares text", cmp(F.code, '<', '9'), ['d01', 'd03']],
  ['createdAt >= a timestamp (inclusive)', cmp(F.createdAt, '>=', '2025-01-01T00:00:00.000Z'), ['d01', 'd02', 'd04', 'd05', 'd07', 'd08', 'd09']],
  ['createdAt < a timestamp', cmp(F.createdAt, '<', '2025-01-01T00:00:00.000Z'), ['d03', 'd06']],
  ['createdAt = a timestamp', cmp(F.createdAt, '=', '2025-01-05T10:00:00.000Z'), ['d01', 'd08']],
  ["name LIKE 'fraud%' is case-sensitive", like(F.name, 'fraud%'), ['d01', 'd03', 'd08']],
  ["name ILIKE 'fraud%'", like(F.name, 'fraud%', true), ['d01', 'd02', 'd03', 'd08']],
  ["name LIKE 'fraud_' (_ is one character, é included)", like(F.name, 'fraud_'), ['d08']],
  ["name LIKE 'fraud_v_'", like(F.name, 'fraud_v_'), ['d03']],
  ["name LIKE 'churn%'", like(F.name, 'churn%'), ['d04']],
  ["name ILIKE 'churn' matches the whole value", like(F.name, 'churn', true), ['d05']],
  ["name ILIKE 'école%' folds non-ASCII case", like(F.name, 'école%', true), ['d06']],
  ["name LIKE 'école%' does not", like(F.name, 'école%'), []],
  ["name LIKE '%model'", like(F.name, '%model'), ['d04', 'd06']],
  ["name LIKE '%\\%%' (escaped %)", like(F.name, '%\\%%'), ['d07']],
  ["name LIKE '100\\%\\_sure' (escaped % and _)", like(F.name, '100\\%\\_sure'), ['d07']],
  ["name LIKE '%' matches every string", like(F.name, '%'), CONTRACT_DOCS.map((d) => d.id)],
  ["metrics.auc LIKE '0.9%' matches strings only", like(F.auc, '0.9%'), ['d04']],
  ["name NOT LIKE 'fraud%'", notLike(F.name, 'fraud%'), ['d02', 'd04', 'd05', 'd06', 'd07', 'd09']],
  ["name NOT ILIKE 'fraud%'", notLike(F.name, 'fraud%', true), ['d04', 'd05', 'd06', 'd07', 'd09']],
  ["code NOT LIKE '1%' (docs without a code excluded)", notLike(F.code, '1%'), ['d02', 'd04']],
  ["stage IN ('staging', 'archived')", anyOf(F.stage, ['staging', 'archived']), ['d02', 'd05', 'd07']],
  ['versions IN (10, 3)', anyOf(F.versions, [10, 3]), ['d01', 'd05', 'd08']],
  ['IN () matches nothing', anyOf(F.stage, []), []],
  ["tags.'team.name' = 'risk' (a key containing a dot)", cmp(F.teamName, '=', 'risk'), ['d01', 'd02']],
  ["tags.'team.name' != 'risk' (docs without the tag excluded)", cmp(F.teamName, '!=', 'risk'), ['d04', 'd06']],
  ["NOT tags.'team.name' = 'risk' (docs without the tag included)", not(cmp(F.teamName, '=', 'risk')), ['d03', 'd04', 'd05', 'd06', 'd07', 'd08', 'd09']],
  ['NOT metrics.auc >= 0.9 (missing, null and wrong type included)', not(cmp(F.auc, '>=', 0.9)), ['d03', 'd04', 'd05', 'd06', 'd07', 'd09']],
  ["NOT (name LIKE 'fraud%' OR stage = 'staging')", not(or(like(F.name, 'fraud%'), cmp(F.stage, '=', 'staging'))), ['d04', 'd05', 'd06', 'd09']],
  ["tags.'cost-center' = 'cc-1' (a key containing a dash)", cmp(F.costCenter, '=', 'cc-1'), ['d01']],
  ["tags.'équipe' IN ('données', 'risque') (a unicode key)", anyOf(F.equipe, ['données', 'risque']), ['d01', 'd08']],
  ["stage = 'production' OR (stage = 'staging' AND metrics.auc > 0.9)", or(cmp(F.stage, '=', 'production'), and(cmp(F.stage, '=', 'staging'), cmp(F.auc, '>', 0.9))), ['d01', 'd02', 'd04', 'd08']],
  ["(stage = 'production' OR stage = 'staging') AND metrics.auc > 0.9", and(or(cmp(F.stage, '=', 'production'), cmp(F.stage, '=', 'staging')), cmp(F.auc, '>', 0.9)), ['d01', 'd02', 'd08']],
  ["name ILIKE 'fraud%' AND tags.'team.name' = 'risk' AND versions >= 9", and(and(like(F.name, 'fraud%', true), cmp(F.teamName, '=', 'risk')), cmp(F.versions, '>=', 9)), ['d01', 'd02']],
];

/** [description, sort, ids in expected order]: missing values (and wrong types) are smallest; ties by id. */
const SORT_CASES: readonly (readonly [string, SortSpec, readonly string[]])[] = [
  ['versions asc', { field: F.versions, direction: 'asc' }, ['d07', 'd06', 'd04', 'd03', 'd05', 'd09', 'd02', 'd01', 'd08']],
  ['versions desc (ties by id asc)', { field: F.versions, direction: 'desc' }, ['d01', 'd08', 'd02', 'd09', 'd05', 'd03', 'd04', 'd06', 'd07']],
  ['metrics.auc asc (missing first)', { field: F.auc, direction: 'asc' }, ['d04', 'd05', 'd07', 'd09', 'd06', 'd03', 'd02', 'd01', 'd08']],
  ['metrics.auc desc (missing last)', { field: F.auc, direction: 'desc' }, ['d01', 'd08', 'd02', 'd03', 'd06', 'd04', 'd05', 'd07', 'd09']],
  ['name asc (code point order)', { field: F.name, direction: 'asc' }, ['d07', 'd05', 'd02', 'd04', 'd01', 'd03', 'd08', 'd09', 'd06']],
  ['name desc', { field: F.name, direction: 'desc' }, ['d06', 'd09', 'd08', 'd03', 'd01', 'd04', 'd02', 'd05', 'd07']],
  ['createdAt desc', { field: F.createdAt, direction: 'desc' }, ['d05', 'd04', 'd02', 'd01', 'd08', 'd07', 'd09', 'd03', 'd06']],
  ['code asc (text)', { field: F.code, direction: 'asc' }, ['d05', 'd06', 'd07', 'd08', 'd09', 'd01', 'd03', 'd02', 'd04']],
  ['code desc (text, missing last)', { field: F.code, direction: 'desc' }, ['d04', 'd02', 'd03', 'd01', 'd05', 'd06', 'd07', 'd08', 'd09']],
  ['stage asc (runs of ties, by id)', { field: F.stage, direction: 'asc' }, ['d05', 'd03', 'd06', 'd09', 'd01', 'd04', 'd08', 'd02', 'd07']],
  ['stage desc (runs of ties, by id asc)', { field: F.stage, direction: 'desc' }, ['d02', 'd07', 'd01', 'd04', 'd08', 'd03', 'd06', 'd09', 'd05']],
  ['createdAt asc (a tie)', { field: F.createdAt, direction: 'asc' }, ['d06', 'd03', 'd09', 'd07', 'd01', 'd08', 'd02', 'd04', 'd05']],
  ["tags.'team.name' desc (most missing, one nested object)", { field: F.teamName, direction: 'desc' }, ['d06', 'd01', 'd02', 'd04', 'd03', 'd05', 'd07', 'd08', 'd09']],
];

/** [description, filter, sort, ids in expected order]: filtered sorts, also read page by page. */
const FILTERED_SORT_CASES: readonly (readonly [string, BoundFilter, SortSpec, readonly string[]])[] = [
  ["stage IN ('production', 'development') by metrics.auc desc (missing last)", anyOf(F.stage, ['production', 'development']), { field: F.auc, direction: 'desc' }, ['d01', 'd08', 'd03', 'd06', 'd04', 'd09']],
  ["stage = 'production' by versions asc", cmp(F.stage, '=', 'production'), { field: F.versions, direction: 'asc' }, ['d04', 'd01', 'd08']],
  ["name LIKE 'fraud%' by name desc", like(F.name, 'fraud%'), { field: F.name, direction: 'desc' }, ['d08', 'd03', 'd01']],
  ['createdAt >= 2025-01-01 by createdAt desc', cmp(F.createdAt, '>=', '2025-01-01T00:00:00.000Z'), { field: F.createdAt, direction: 'desc' }, ['d05', 'd04', 'd02', 'd01', 'd08', 'd07', 'd09']],
  ["NOT tags.'team.name' = 'risk' by code asc", not(cmp(F.teamName, '=', 'risk')), { field: F.code, direction: 'asc' }, ['d05', 'd06', 'd07', 'd08', 'd09', 'd03', 'd04']],
];

/** Values at the edges of a LIKE pattern's literal head, and of the code point range. */
const PREFIX_VALUES: readonly string[] = ['a', 'ab', 'abc', 'ab%', 'ab_', 'abb', 'ac', 'AB', 'aB', 'ab\\', 'ab\u{10FFFF}x', 'a\u{10FFFF}', 'b', '\u{D7FF}x', '\u{E000}', '\u{FFFF}', '\u{10000}', "it's", ''];

/** LIKE patterns over PREFIX_VALUES: every adapter must match exactly what the evaluator does. */
const PREFIX_PATTERNS: readonly (readonly [string, boolean])[] = [
  ['ab%', false],
  ['ab', false],
  ['ab_', false],
  ['ab\\%%', false],
  ['ab\\_', false],
  ['ab\\\\', false],
  ['a\u{10FFFF}%', false],
  ['ab\u{10FFFF}%', false],
  ['\u{D7FF}%', false],
  ['\u{FFFF}%', false],
  ["it's%", false],
  ['%', false],
  ['', false],
  ['ab%', true],
];

/**
 * The behaviour every ReadStore adapter must show (docs/design.md §1, §4). Each test works in its own fresh
 * collection; only the last one calls clear().
 */
export function describeReadStoreContract(name: string, factory: () => Promise<ReadStoreContractFixture>): void {
  describe(`ReadStore contract: ${name}`, () => {
    let store: ReadStore;
    let indexed = false;
    withFixture(factory, (fixture) => {
      store = fixture.store;
      indexed = fixture.indexed === true;
    });

    const newCollection = <T extends object>(): ReadCollection<T> => store.collection<T>(`contract_${uniqueSuffix()}`);

    describe('revision guard', () => {
      interface Counter {
        readonly id: string;
        readonly count: number;
        readonly seen: readonly string[];
      }
      const bump =
        (id: string, label: string) =>
        (current: Counter | undefined): Counter => ({
          id,
          count: (current?.count ?? 0) + 1,
          seen: [...(current?.seen ?? []), label],
        });

      it('creates a document on its first event and reads it back', async () => {
        const models = newCollection<Counter>();
        await expect(models.get('m1')).resolves.toBeUndefined();
        await expect(models.appliedRevision('m1', 'model-m1')).resolves.toBe(-1);

        await expect(models.apply('m1', 'model-m1', 0, bump('m1', 'r0'))).resolves.toBe(true);

        await expect(models.get('m1')).resolves.toEqual({ id: 'm1', count: 1, seen: ['r0'] });
        await expect(models.appliedRevision('m1', 'model-m1')).resolves.toBe(0);
      });

      it('ignores a duplicate and an older revision', async () => {
        const models = newCollection<Counter>();
        await models.apply('m1', 'model-m1', 0, bump('m1', 'r0'));
        await models.apply('m1', 'model-m1', 3, bump('m1', 'r3'));

        await expect(models.apply('m1', 'model-m1', 3, bump('m1', 'r3 again'))).resolves.toBe(false);
        await expect(models.apply('m1', 'model-m1', 2, bump('m1', 'r2 late'))).resolves.toBe(false);

        await expect(models.get('m1')).resolves.toEqual({ id: 'm1', count: 2, seen: ['r0', 'r3'] });
        await expect(models.appliedRevision('m1', 'model-m1')).resolves.toBe(3);
      });

      it('tracks the revisions of several streams on one document independently', async () => {
        const models = newCollection<Counter>();
        await expect(models.apply('m1', 'model-m1', 5, bump('m1', 'model@5'))).resolves.toBe(true);
        await expect(models.apply('m1', 'version-m1-1', 0, bump('m1', 'version@0'))).resolves.toBe(true);

        await expect(models.apply('m1', 'model-m1', 4, bump('m1', 'model@4'))).resolves.toBe(false);
        await expect(models.apply('m1', 'version-m1-1', 0, bump('m1', 'version@0 again'))).resolves.toBe(false);
        await expect(models.apply('m1', 'version-m1-1', 1, bump('m1', 'version@1'))).resolves.toBe(true);

        await expect(models.get('m1')).resolves.toEqual({ id: 'm1', count: 3, seen: ['model@5', 'version@0', 'version@1'] });
        await expect(models.appliedRevision('m1', 'model-m1')).resolves.toBe(5);
        await expect(models.appliedRevision('m1', 'version-m1-1')).resolves.toBe(1);
        await expect(models.appliedRevision('m1', 'policy-m1')).resolves.toBe(-1);
      });

      it('serialises concurrent writers of one document: no update is lost', async () => {
        const models = newCollection<Counter>();
        const applied = await Promise.all(Array.from({ length: 20 }, (_, i) => models.apply('m1', `version-m1-${i}`, 0, bump('m1', `v${i}`))));

        expect(applied.every(Boolean)).toBe(true);
        const doc = await models.get('m1');
        expect(doc?.count).toBe(20);
        expect([...(doc?.seen ?? [])].sort()).toEqual(Array.from({ length: 20 }, (_, i) => `v${i}`).sort());
      });

      it('of concurrent deliveries of one stream, the newest revision wins', async () => {
        const models = newCollection<{ id: string; revision: number }>();
        const revisions = [3, 0, 7, 1, 5, 7, 2];
        await Promise.all(revisions.map((revision) => models.apply('m1', 'model-m1', revision, () => ({ id: 'm1', revision }))));

        await expect(models.appliedRevision('m1', 'model-m1')).resolves.toBe(7);
        await expect(models.get('m1')).resolves.toEqual({ id: 'm1', revision: 7 });
      });
    });

    describe('batched applies', () => {
      interface Tally {
        readonly id: string;
        readonly seen: readonly string[];
      }
      const see =
        (id: string, label: string) =>
        (current: Tally | undefined): Tally => ({ id, seen: [...(current?.seen ?? []), label] });
      const change = (collection: string, id: string, streamId: string, revision: number) => ({ collection, id, streamId, revision, change: see(id, `${streamId}@${revision}`) as BatchedChange['change'] });
      const applyBatch = (changes: readonly BatchedChange[]): Promise<boolean[]> => {
        if (store.applyBatch === undefined) throw new Error('the adapter has no applyBatch');
        return store.applyBatch(changes);
      };
      /** Changes of two collections, several per document and per stream, with duplicates and a late revision. */
      const mixed = (a: string, b: string): BatchedChange[] => [
        change(a, 'm1', 'model-m1', 0),
        change(b, 'v1', 'version-m1-1', 0),
        change(a, 'm1', 'version-m1-1', 0),
        change(a, 'm1', 'model-m1', 1),
        change(a, 'm1', 'model-m1', 1),
        change(b, 'v1', 'version-m1-1', 2),
        change(a, 'm2', 'model-m2', 0),
        change(b, 'v1', 'version-m1-1', 1),
        change(a, 'm1', 'model-m1', 3),
      ];

      it('applies the changes in order, each under the revision guard, and says which applied', async () => {
        const [a, b] = [`contract_${uniqueSuffix()}`, `contract_${uniqueSuffix()}`];
        await store.collection<Tally>(a).apply('m1', 'model-m1', 0, see('m1', 'before'));

        await expect(applyBatch(mixed(a, b))).resolves.toEqual([false, true, true, true, false, true, true, false, true]);

        await expect(store.collection<Tally>(a).get('m1')).resolves.toEqual({ id: 'm1', seen: ['before', 'version-m1-1@0', 'model-m1@1', 'model-m1@3'] });
        await expect(store.collection<Tally>(a).get('m2')).resolves.toEqual({ id: 'm2', seen: ['model-m2@0'] });
        await expect(store.collection<Tally>(b).get('v1')).resolves.toEqual({ id: 'v1', seen: ['version-m1-1@0', 'version-m1-1@2'] });
        await expect(store.collection<Tally>(a).appliedRevision('m1', 'model-m1')).resolves.toBe(3);
        await expect(store.collection<Tally>(a).appliedRevision('m1', 'version-m1-1')).resolves.toBe(0);
        await expect(store.collection<Tally>(b).appliedRevision('v1', 'version-m1-1')).resolves.toBe(2);
      });

      it('leaves the documents as the same changes applied one by one do', async () => {
        const batched = [`contract_${uniqueSuffix()}`, `contract_${uniqueSuffix()}`] as const;
        const single = [`contract_${uniqueSuffix()}`, `contract_${uniqueSuffix()}`] as const;
        await applyBatch(mixed(...batched));
        for (const c of mixed(...single)) await store.collection<Tally>(c.collection).apply(c.id, c.streamId, c.revision, c.change as (t: Tally | undefined) => Tally);

        for (const [i, id] of [
          [0, 'm1'],
          [0, 'm2'],
          [1, 'v1'],
        ] as const) {
          await expect(store.collection<Tally>(batched[i]).get(id)).resolves.toEqual(await store.collection<Tally>(single[i]).get(id));
        }
      });

      it('changes nothing when applied again (idempotent, like apply)', async () => {
        const [a, b] = [`contract_${uniqueSuffix()}`, `contract_${uniqueSuffix()}`];
        await applyBatch(mixed(a, b));
        const before = [await store.collection<Tally>(a).get('m1'), await store.collection<Tally>(a).get('m2'), await store.collection<Tally>(b).get('v1')];

        await expect(applyBatch(mixed(a, b))).resolves.toEqual(mixed(a, b).map(() => false));

        await expect(Promise.all([store.collection<Tally>(a).get('m1'), store.collection<Tally>(a).get('m2'), store.collection<Tally>(b).get('v1')])).resolves.toEqual(before);
      });

      it('writes nothing of a batch whose change throws', async () => {
        const a = `contract_${uniqueSuffix()}`;
        const failing: BatchedChange = {
          collection: a,
          id: 'm2',
          streamId: 'model-m2',
          revision: 0,
          change: () => {
            throw new Error('not projected yet');
          },
        };

        await expect(applyBatch([change(a, 'm1', 'model-m1', 0), failing])).rejects.toThrow('not projected yet');

        await expect(store.collection<Tally>(a).get('m1')).resolves.toBeUndefined();
        await expect(store.collection<Tally>(a).appliedRevision('m1', 'model-m1')).resolves.toBe(-1);
      });

      it('an empty batch does nothing', async () => {
        await expect(applyBatch([])).resolves.toEqual([]);
      });
    });

    describe('queries', () => {
      let models: ReadCollection<ContractDoc>;
      const all = CONTRACT_DOCS.map((d) => d.id);

      beforeAll(async () => {
        const name = `contract_${uniqueSuffix()}`;
        models = store.collection<ContractDoc>(name);
        // Half the documents before the indexes are built and half after: both must be in them.
        for (const doc of CONTRACT_DOCS.slice(0, 4)) await models.apply(doc.id, `model-${doc.id}`, 0, () => doc);
        if (indexed && store.ensureIndex !== undefined) {
          for (const f of Object.values(F)) {
            await store.ensureIndex(name, [{ path: f.path, type: f.type }]);
            await store.ensureIndex(name, [{ path: f.path, type: f.type, direction: 'desc' }]);
          }
          await store.ensureIndex(name, [
            { path: F.stage.path, type: F.stage.type },
            { path: F.versions.path, type: F.versions.type, direction: 'desc' },
          ]);
        }
        for (const doc of CONTRACT_DOCS.slice(4)) await models.apply(doc.id, `model-${doc.id}`, 0, () => doc);
      });

      /** Every id matching, in id order, reading pages of 100. */
      const idsMatching = async (filter: BoundFilter): Promise<string[]> => (await readAllPages(models, { filter, sort: { field: F.name, direction: 'asc' }, limit: 100 })).map((d) => d.id).sort();

      it.each(FILTER_CASES)('filter %s', async (_title, filter, expected) => {
        await expect(idsMatching(filter)).resolves.toEqual([...expected].sort());
        await expect(models.count(filter)).resolves.toBe(expected.length);
        // The pure evaluator (used in memory, e.g. for SSE filters) agrees with the adapter.
        expect(CONTRACT_DOCS.filter((d) => matchesFilter(d, filter)).map((d) => d.id)).toEqual([...expected].sort());
      });

      it('counts every document without a filter', async () => {
        await expect(models.count()).resolves.toBe(CONTRACT_DOCS.length);
      });

      it.each(SORT_CASES)('sorts by %s', async (_title, sort, expected) => {
        const page = await models.find({ sort, limit: 100 });
        expect(page.items.map((d) => d.id)).toEqual(expected);
        expect(page.next).toBeUndefined();
      });

      it.each(SORT_CASES.flatMap(([title, sort]) => [1, 2, 4].map((limit) => [title, limit, sort] as const)))('keyset pages (%s, limit %d) visit every document exactly once, in order', async (_title, limit, sort) => {
        const single = (await models.find({ sort, limit: 100 })).items.map((d) => d.id);
        const pages: string[][] = [];
        let after: Cursor | undefined;
        do {
          const page = await models.find({ sort, limit, ...(after === undefined ? {} : { after }) });
          expect(page.items.length).toBeLessThanOrEqual(limit);
          pages.push(page.items.map((d) => d.id));
          // Page tokens travel as JSON: the cursor must survive that.
          after = page.next === undefined ? undefined : (JSON.parse(JSON.stringify(page.next)) as Cursor);
        } while (after !== undefined && pages.length <= all.length + 1);

        expect(pages.flat()).toEqual(single);
        expect(pages.slice(0, -1).every((p) => p.length === limit)).toBe(true);
      });

      it.each(FILTERED_SORT_CASES)('filters and sorts: %s', async (_title, filter, sort, expected) => {
        await expect(models.find({ filter, sort, limit: 100 }).then((page) => page.items.map((d) => d.id))).resolves.toEqual(expected);
        for (const limit of [1, 2]) await expect(readAllPages(models, { filter, sort, limit }).then((items) => items.map((d) => d.id))).resolves.toEqual(expected);
      });

      it('pages a filtered result', async () => {
        const filter = or(cmp(F.stage, '=', 'production'), cmp(F.stage, '=', 'development'));
        const sort: SortSpec = { field: F.versions, direction: 'desc' };
        const first = await models.find({ filter, sort, limit: 2 });
        expect(first.items.map((d) => d.id)).toEqual(['d01', 'd08']);
        expect(first.next).toEqual({ value: 10, id: 'd08' });

        const rest = await readAllPages(models, { filter, sort, limit: 2, after: first.next });
        expect(rest.map((d) => d.id)).toEqual(['d09', 'd03', 'd04', 'd06']);
      });

      it('a page that ends exactly at the last document has no next cursor', async () => {
        const page = await models.find({ sort: { field: F.versions, direction: 'asc' }, limit: CONTRACT_DOCS.length });
        expect(page.items).toHaveLength(CONTRACT_DOCS.length);
        expect(page.next).toBeUndefined();
      });

      it('returns the stored documents unchanged', async () => {
        const page = await models.find({ filter: cmp(F.stage, '=', 'production'), sort: { field: F.name, direction: 'asc' }, limit: 10 });
        expect(page.items).toEqual(CONTRACT_DOCS.filter((d) => d.stage === 'production').sort((a, b) => (a.name < b.name ? -1 : 1)));
        await expect(models.get('d06')).resolves.toEqual(CONTRACT_DOCS[5]);
      });
    });

    it('LIKE with a literal head matches what the evaluator matches, at the edges of the code point range', async () => {
      const name = `contract_${uniqueSuffix()}`;
      const values = store.collection<{ id: string; name: string }>(name);
      if (indexed && store.ensureIndex !== undefined) await store.ensureIndex(name, [{ path: F.name.path, type: F.name.type }]);
      const docs = PREFIX_VALUES.map((value, i) => ({ id: `p${String(i).padStart(2, '0')}`, name: value }));
      for (const doc of docs) await values.apply(doc.id, `model-${doc.id}`, 0, () => doc);
      for (const [pattern, caseInsensitive] of PREFIX_PATTERNS) {
        const filter = like(F.name, pattern, caseInsensitive);
        const expected = docs.filter((d) => matchesFilter(d, filter)).map((d) => d.id);
        const found = (await readAllPages(values, { filter, sort: { field: F.name, direction: 'asc' }, limit: 100 })).map((d) => d.id).sort();
        expect({ pattern, caseInsensitive, found }).toEqual({ pattern, caseInsensitive, found: expected });
        await expect(values.count(filter)).resolves.toBe(expected.length);
      }
    });

    it('clear() removes every document and applied revision', async () => {
      const models = newCollection<{ id: string }>();
      await models.apply('m1', 'model-m1', 4, () => ({ id: 'm1' }));

      await store.clear();

      await expect(models.get('m1')).resolves.toBeUndefined();
      await expect(models.count()).resolves.toBe(0);
      await expect(models.appliedRevision('m1', 'model-m1')).resolves.toBe(-1);
      await expect(models.apply('m1', 'model-m1', 0, () => ({ id: 'm1' }))).resolves.toBe(true);
    });
  });
}

async function readAllPages<T extends object>(collection: ReadCollection<T>, query: FindQuery): Promise<T[]> {
  const items: T[] = [];
  let after = query.after;
  for (let guard = 0; guard < 1000; guard++) {
    const page = await collection.find({ ...query, ...(after === undefined ? {} : { after }) });
    items.push(...page.items);
    if (page.next === undefined) return items;
    after = page.next;
  }
  throw new Error('pagination did not end');
}

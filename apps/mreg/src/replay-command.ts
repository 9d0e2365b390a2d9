import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { compareReadModels, readModelCollections, readModelLag, replayReadModels } from '@mreg/audit/read-models';
import type { OtherReadModels, ReadModelDifference } from '@mreg/audit/read-models';
import { KurrentEventStore } from '@mreg/platform/event-store/kurrentdb';
import { PostgresEventStore } from '@mreg/platform/event-store/postgres';
import { SqliteEventStore } from '@mreg/platform/event-store/sqlite';
import { UpcastingEventStore } from '@mreg/platform/event-store';
import type { EventStore } from '@mreg/platform/event-store';
import { MongoReadStore } from '@mreg/platform/read-store/mongo';
import { SqliteReadStore } from '@mreg/platform/read-store/sqlite';
import type { ReadStore } from '@mreg/platform/read-store';
import { loadConfig } from '@mreg/platform/runtime';
import type { MregConfig } from '@mreg/platform/runtime';
import { TRACKING_READ_MODELS } from '@mreg/tracking/feature';
import { API_TOKEN_READ_MODELS, WEBHOOK_READ_MODELS } from '@mreg/governance/feature';

// `npm run replay`: rebuilds the read models (the catalog's, the tracking index, the webhook subscriptions and the API token inventory) from the configured log into
// a fresh database (next to the live one, which is never written), compares the two and prints a JSON summary.
// Exit code 0: equal; 1: different.

/** Read models of the contexts outside the catalog that the registry runs (MLflow's tracking search index, webhook subscriptions, the API tokens). */
export const OTHER_READ_MODELS: readonly OtherReadModels[] = [TRACKING_READ_MODELS, WEBHOOK_READ_MODELS, API_TOKEN_READ_MODELS];

export interface ReplayCommandOptions {
  /** Remove the rebuilt database afterwards (default: keep it, so it can be inspected or swapped in). */
  readonly drop?: boolean;
  /** Differences listed in the summary (default 20; all are counted). */
  readonly limit?: number;
  /** Suffix of the rebuilt database's name (default: the current time, yyyymmddhhmmss). */
  readonly stamp?: string;
}

export interface ReplayCommandResult {
  readonly equal: boolean;
  readonly summary: Readonly<Record<string, unknown>>;
}

function openEventStore(config: MregConfig): { store: EventStore; describe: Record<string, string> } {
  // Read through the upcasters, as the services read it: projections see current shapes only.
  if (config.eventStore === 'kurrentdb') return { store: new UpcastingEventStore(new KurrentEventStore({ connectionString: config.kurrentdbUrl ?? '' })), describe: { eventStore: 'kurrentdb' } };
  if (config.eventStore === 'postgres') {
    return { store: new UpcastingEventStore(new PostgresEventStore({ connectionString: config.postgresUrl ?? '', schema: config.postgresSchema })), describe: { eventStore: 'postgres', schema: config.postgresSchema } };
  }
  const path = config.eventStorePath ?? join(config.dataDir, 'events.sqlite');
  // Opening a missing file would create an empty log and "rebuild" nothing.
  if (!existsSync(path)) throw new Error(`no event store at ${path} (MREG_EVENT_STORE_PATH / MREG_DATA_DIR)`);
  return { store: new UpcastingEventStore(new SqliteEventStore(path)), describe: { eventStore: 'sqlite', path } };
}

async function openReadStores(config: MregConfig, stamp: string): Promise<{ live: ReadStore; rebuilt: ReadStore; describe: Record<string, string>; remove: () => Promise<void> }> {
  if (config.readStore === 'mongo') {
    const url = config.mongoUrl ?? '';
    const database = `${config.mongoDatabase.slice(0, 63 - stamp.length - 8)}_replay_${stamp}`;
    const live = new MongoReadStore(url, config.mongoDatabase);
    const rebuilt = new MongoReadStore(url, database);
    await live.ready();
    await rebuilt.ready();
    // A database of that name left by an earlier run is emptied first: the rebuild starts from nothing.
    await rebuilt.clear();
    return { live, rebuilt, describe: { readStore: 'mongo', live: config.mongoDatabase, rebuilt: database }, remove: () => rebuilt.clear() };
  }
  const livePath = join(config.dataDir, 'read-models.sqlite');
  if (!existsSync(livePath)) throw new Error(`no read store at ${livePath} (MREG_DATA_DIR)`);
  const path = join(config.dataDir, `read-models.replay-${stamp}.sqlite`);
  rmSync(path, { force: true });
  const rebuilt = new SqliteReadStore(path);
  return {
    live: new SqliteReadStore(livePath),
    rebuilt,
    describe: { readStore: 'sqlite', live: livePath, rebuilt: path },
    remove: async () => {
      await rebuilt.close();
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
    },
  };
}

/** Differences as the summary names them (the live store is side a, the rebuilt one side b). */
const KIND = { missing: 'only-in-live', extra: 'only-in-rebuilt', different: 'different' } as const;

/** Top-level fields that differ between two documents (what an operator wants to see first). */
function differingFields(d: ReadModelDifference): string[] {
  if (d.kind !== 'different') return [];
  const a = (d.a ?? {}) as Record<string, unknown>;
  const b = (d.b ?? {}) as Record<string, unknown>;
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
}

export async function runReplayCommand(env: NodeJS.ProcessEnv, options: ReplayCommandOptions = {}): Promise<ReplayCommandResult> {
  const config = loadConfig(env);
  const stamp = options.stamp ?? new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const { store, describe: source } = openEventStore(config);
  try {
    const { live, rebuilt, describe: target, remove } = await openReadStores(config, stamp);
    try {
      const started = Date.now();
      const replay = await replayReadModels(store, rebuilt, { others: OTHER_READ_MODELS });
      const lag = await readModelLag(store, live, { others: OTHER_READ_MODELS });
      const comparison = await compareReadModels(live, rebuilt, readModelCollections(OTHER_READ_MODELS), { limit: options.limit ?? 20 });
      const summary = {
        ...source,
        ...target,
        events: replay.events,
        lastPosition: replay.lastPosition?.toString() ?? null,
        replayMs: Date.now() - started,
        // Projection progress of the live store behind the log: differences may just be events not applied yet.
        liveBehind: lag.behind,
        equal: comparison.equal,
        counts: Object.fromEntries(Object.entries(comparison.counts).map(([c, n]) => [c, { live: n.a, rebuilt: n.b }])),
        differenceCount: comparison.differenceCount,
        differences: comparison.differences.map((d) => ({ collection: d.collection, id: d.id, kind: KIND[d.kind], fields: differingFields(d) })),
        kept: options.drop !== true,
      };
      if (options.drop === true) await remove();
      return { equal: comparison.equal, summary };
    } finally {
      await live.close();
      await rebuilt.close();
    }
  } finally {
    await store.close();
  }
}

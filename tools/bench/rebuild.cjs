#!/usr/bin/env node
// `npm run bench -- --rebuild`: a full rebuild (replay) of the read models, the code behind `npm run replay`
// (replayReadModels with the tracking index beside the catalog), timed on a log of known size. Prints ONE JSON
// document on stdout: per store, events, seconds, events/s, the CPU time it took and the documents written, with the
// load average; progress goes to stderr.
//
//   embedded     a SQLite log of MREG_BENCH_REBUILD_EVENTS events rebuilt into a fresh SQLite read store
//   distributed  a PostgreSQL log (a schema of its own) of MREG_BENCH_REBUILD_DISTRIBUTED_EVENTS events rebuilt
//                into a fresh MongoDB database; only when MREG_POSTGRES_URL and MREG_MONGO_URL are set
//
// The log is written by the registry-history generator of the contract tests (libs/testing/contracts): whole model
// lives as the command handlers append them (registrations, versions with params, metrics, tags and lineage,
// artifacts, tags, alias moves, approved and rejected transitions with their stage changes, policies, run links,
// renames, deletions and restores), event types and payloads typed by the registry's contracts, hash chains
// computed like the repository does. Histories of MREG_BENCH_REBUILD_MODELS models interleave; one after another
// until the log holds the events asked for.
//
// Knobs (env): MREG_BENCH_REBUILD_EVENTS=1000000  MREG_BENCH_REBUILD_DISTRIBUTED_EVENTS=2000
// MREG_BENCH_REBUILD_VERSIONS=10 (versions per model)  MREG_BENCH_REBUILD_MODELS=40 (models per interleaved history)
// MREG_BENCH_REBUILD_TOPOLOGIES=embedded,distributed  MREG_BENCH_REBUILD_PAGE=2000 (events per page of the log)
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');
const { envInt, runIfMain } = require('./lib.cjs');

const ROOT = path.resolve(__dirname, '..', '..');

const OPTIONS = {
  events: envInt('MREG_BENCH_REBUILD_EVENTS', 1_000_000),
  // FerretDB rebuilds tens of events per second here (docs/operations/benchmarks.md, "Rebuild"): 20,000 would take an hour.
  distributedEvents: envInt('MREG_BENCH_REBUILD_DISTRIBUTED_EVENTS', 2_000),
  versionsPerModel: envInt('MREG_BENCH_REBUILD_VERSIONS', 10, 2),
  models: envInt('MREG_BENCH_REBUILD_MODELS', 40),
  pageSize: envInt('MREG_BENCH_REBUILD_PAGE', 2000),
  topologies: (process.env.MREG_BENCH_REBUILD_TOPOLOGIES || 'embedded,distributed')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
};
for (const t of OPTIONS.topologies) {
  if (t !== 'embedded' && t !== 'distributed') throw new Error(`MREG_BENCH_REBUILD_TOPOLOGIES: unknown topology "${t}"`);
}

/** Histories written at once while seeding. */
const SEED_WRITERS = 32;
const GOAL = { embeddedEventsPerSecond: 20_000, distributedEventsPerSecond: 5_000 };
const log = (message) => process.stderr.write(`[rebuild] ${message}\n`);
const round = (n, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const load = () => os.loadavg().map((l) => round(l, 2));

/**
 * The registry-history generator, compiled from its TypeScript source (testing libs have no build output) and
 * loaded as if it sat in the repository, so its `@mreg/*` imports resolve to the built libs.
 * @returns {{ generateRegistryHistory: (store: unknown, options: object) => Promise<{ events: number }> }}
 */
function loadHistoryGenerator() {
  const swc = require('@swc/core');
  const swcrc = JSON.parse(fs.readFileSync(path.join(ROOT, '.swcrc'), 'utf8'));
  delete swcrc.$schema;
  const file = path.join(ROOT, 'libs', 'testing', 'contracts', 'src', 'registry-history.ts');
  const { code } = swc.transformFileSync(file, { ...swcrc, swcrc: false, configFile: false, sourceMaps: false });
  const compiled = new Module(file);
  compiled.filename = file;
  // @ts-expect-error: Node's internal lookup paths of a module, what require() searches
  compiled.paths = Module._nodeModulePaths(path.dirname(file));
  // @ts-expect-error: compiling a module from source is Node's internal API
  compiled._compile(code, file);
  return compiled.exports;
}

/**
 * Appends whole registry histories to `store` until it holds at least `target` events. SEED_WRITERS histories are
 * written at once, as concurrent clients would: their appends share the log's group commits.
 */
async function seed(store, target) {
  const { generateRegistryHistory } = loadHistoryGenerator();
  const started = performance.now();
  let events = 0;
  let chunks = 0;
  let logged = 0;
  // Histories under way count with the mean size of those written, so the log ends near `target`.
  let inFlight = 0;
  let perHistory = OPTIONS.models * (OPTIONS.versionsPerModel * 7 + 25);
  const writer = async () => {
    while (events + inFlight * perHistory < target) {
      const chunk = chunks++;
      inFlight += 1;
      const history = await generateRegistryHistory(store, {
        models: OPTIONS.models,
        versionsPerModel: OPTIONS.versionsPerModel,
        seed: chunk + 1,
        idPrefix: `b${chunk}`,
        start: new Date(Date.UTC(2025, 0, 1) + chunk * 3_600_000).toISOString(),
      });
      inFlight -= 1;
      events += history.events;
      perHistory = events / (chunks - inFlight);
      if (events - logged >= 100_000) {
        logged = events;
        log(`seeded ${events} / ${target} events`);
      }
    }
  };
  await Promise.all(Array.from({ length: SEED_WRITERS }, writer));
  return { events, seconds: round((performance.now() - started) / 1000) };
}

/** Documents per rebuilt collection (read through the port: what a client would find). */
async function documentCounts(store, collections) {
  /** @type {Record<string, number>} */
  const counts = {};
  for (const name of collections) counts[name] = await store.collection(name).count();
  return counts;
}

/** Replays `eventStore` into `readStore` as `npm run replay` does; time, rate and the documents written. */
async function rebuild(eventStore, readStore) {
  const { readModelCollections, replayReadModels } = require('@mreg/audit/read-models');
  const { UpcastingEventStore } = require('@mreg/platform/event-store');
  const { TRACKING_READ_MODELS } = require('@mreg/tracking/feature');
  const others = [TRACKING_READ_MODELS];
  const loadBefore = load();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let reported = 0;
  const summary = await replayReadModels(new UpcastingEventStore(eventStore), readStore, {
    others,
    pageSize: OPTIONS.pageSize,
    onPage: (replayed) => {
      if (replayed - reported < 100_000) return;
      reported = replayed;
      log(`rebuilt ${replayed} events, ${round(replayed / ((performance.now() - started) / 1000), 0)} events/s`);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  // The CPU time of this process (its query threads included) does not grow with the machine's load, the wall time does.
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    events: summary.events,
    seconds: round(seconds, 2),
    eventsPerSecond: round(summary.events / seconds, 0),
    cpuSeconds: round(cpuSeconds, 1),
    eventsPerCpuSecond: round(summary.events / cpuSeconds, 0),
    loadAverageBefore: loadBefore,
    loadAverageAfter: load(),
    documents: await documentCounts(readStore, readModelCollections(others)),
  };
}

async function embedded(workDir) {
  const { SqliteEventStore } = require('@mreg/platform/event-store/sqlite');
  const { SqliteReadStore } = require('@mreg/platform/read-store/sqlite');
  const logPath = path.join(workDir, 'events.sqlite');
  const writer = new SqliteEventStore(logPath);
  log(`embedded: seeding ${OPTIONS.events} events into a SQLite log`);
  const seeded = await seed(writer, OPTIONS.events);
  await writer.close();
  log(`embedded: seeded ${seeded.events} events in ${seeded.seconds} s; rebuilding into a fresh SQLite read store`);
  const eventStore = new SqliteEventStore(logPath);
  const readStore = new SqliteReadStore(path.join(workDir, 'read-models.sqlite'));
  try {
    const result = await rebuild(eventStore, readStore);
    log(`embedded: ${result.events} events in ${result.seconds} s = ${result.eventsPerSecond} events/s`);
    return { log: 'sqlite', readStore: 'sqlite', seedSeconds: seeded.seconds, ...result, goalEventsPerSecond: GOAL.embeddedEventsPerSecond, goalMet: result.eventsPerSecond >= GOAL.embeddedEventsPerSecond };
  } finally {
    await readStore.close();
    await eventStore.close();
  }
}

async function distributed() {
  const postgresUrl = process.env.MREG_POSTGRES_URL;
  const mongoUrl = process.env.MREG_MONGO_URL;
  if (!postgresUrl || !mongoUrl) return { skipped: 'MREG_POSTGRES_URL and MREG_MONGO_URL are not both set (source the tools/infra environment)' };
  const { PostgresEventStore } = require('@mreg/platform/event-store/postgres');
  const { MongoReadStore } = require('@mreg/platform/read-store/mongo');
  const id = `rebuild${Date.now().toString(36)}`;
  const schema = `bench_${id}`;
  const writer = new PostgresEventStore({ connectionString: postgresUrl, schema });
  const readStore = new MongoReadStore(mongoUrl, `mreg_${id}`);
  try {
    log(`distributed: seeding ${OPTIONS.distributedEvents} events into PostgreSQL schema ${schema}`);
    const seeded = await seed(writer, OPTIONS.distributedEvents);
    log(`distributed: seeded ${seeded.events} events in ${seeded.seconds} s; rebuilding into a fresh MongoDB database`);
    await readStore.ready();
    const result = await rebuild(writer, readStore);
    log(`distributed: ${result.events} events in ${result.seconds} s = ${result.eventsPerSecond} events/s`);
    return {
      log: 'postgres',
      readStore: 'mongo',
      mongo: mongoUrl.replace(/\/\/[^@/]*@/, '//***@'),
      seedSeconds: seeded.seconds,
      ...result,
      goalEventsPerSecond: GOAL.distributedEventsPerSecond,
      goalMet: result.eventsPerSecond >= GOAL.distributedEventsPerSecond,
    };
  } finally {
    await dropQuietly(`MongoDB database mreg_${id}`, async () => {
      await readStore.clear();
      await readStore.close();
    });
    await writer.close();
    await dropQuietly(`PostgreSQL schema ${schema}`, async () => {
      const { Client } = require('pg');
      const client = new Client({ connectionString: postgresUrl });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    });
  }
}

async function dropQuietly(what, drop) {
  try {
    await drop();
  } catch (error) {
    log(`could not drop ${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function main() {
  const { buildApps } = require('../build/nx.cjs');
  const built = await buildApps(['mreg']);
  if (!built.ok) throw new Error('build failed (nx run-many -t build, output above)');
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mreg-rebuild-'));
  const report = {
    benchmark: 'full rebuild of the read models from the log (npm run replay without the comparison)',
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', node: process.version, loadAverage: load() },
    options: OPTIONS,
    goal: GOAL,
  };
  try {
    for (const topology of ['embedded', 'distributed']) {
      if (!OPTIONS.topologies.includes(topology)) {
        report[topology] = { skipped: 'not selected (MREG_BENCH_REBUILD_TOPOLOGIES)' };
        continue;
      }
      try {
        report[topology] = topology === 'embedded' ? await embedded(workDir) : await distributed();
      } catch (error) {
        report[topology] = { error: error instanceof Error ? error.message : String(error) };
        process.exitCode = 1;
        log(`${topology} failed: ${error instanceof Error ? error.stack : String(error)}`);
      }
    }
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

module.exports = { main };
runIfMain(module, main);

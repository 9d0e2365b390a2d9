import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { DistributedTopology, consoleFlow, runScenarios } from '@mreg/testing/e2e';
import type { Target } from '@mreg/testing/e2e';
import { announceSkip, serverOrSkip } from '@mreg/testing/infra';

// The same scenario list as the embedded suite, against the production topology: two replicas of each of the four
// services and the gateway as separate processes on real Kafka, a real MongoDB-protocol server (FerretDB), a real
// S3 server and a real PostgreSQL holding the log, which the processes reach over the network like any other
// server. Requests go to either replica in turn, so every scenario also proves the replicas share nothing else.
const kafka = serverOrSkip('kafka', 'distributed e2e');
const mongo = kafka ? serverOrSkip('mongo', 'distributed e2e') : undefined;
const s3 = mongo ? serverOrSkip('s3', 'distributed e2e') : undefined;
const postgres = s3 ? serverOrSkip('postgres', 'distributed e2e') : undefined;
const available = [kafka, mongo, s3, postgres].every((s) => s !== undefined && s !== 'docker');
if ([kafka, mongo, s3, postgres].includes('docker')) announceSkip('distributed e2e', 'a Docker engine is there but this suite needs server URLs (MREG_KAFKA_BROKERS, MREG_MONGO_URL, MREG_S3_ENDPOINT, MREG_POSTGRES_URL)');

let topology: DistributedTopology | undefined;
let target: Target | undefined;
let work = '';

(available ? describe : describe.skip)('distributed topology (4 services × 2 replicas + gateway, Kafka, FerretDB, S3, PostgreSQL)', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'mreg-dist-'));
    topology = new DistributedTopology({ root: resolve(__dirname, '../../..'), workDir: work, env: process.env, postgresUrl: postgres, replicas: 2 });
    await topology.start();
    target = topology.target;
  }, 180_000);

  afterAll(async () => {
    await topology?.stop();
    // The run's log: its own schema, dropped like the run's processes.
    if (topology && postgres) {
      const client = new Client({ connectionString: postgres });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${topology.postgresSchema}" CASCADE`);
      await client.end();
    }
    // The processes' logs and data: kept only when asked for (MREG_KEEP_E2E_LOGS=1), for a look after a failure.
    if (work && process.env['MREG_KEEP_E2E_LOGS'] !== '1') rmSync(work, { recursive: true, force: true });
  });

  runScenarios(() => {
    if (!target) throw new Error('topology not started');
    return target;
  });

  // The web console the gateway serves at /, through the same topology (apps/console/dist, built by npm run build).
  consoleFlow(
    () => {
      if (!target) throw new Error('topology not started');
      return target;
    },
    { label: 'gateway of the distributed topology' },
  );
});

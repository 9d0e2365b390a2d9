import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { DistributedTopology, NetworkNamespaces, SERVICES, networkNamespacesUnavailable, runScenarios } from '@mreg/testing/e2e';
import type { Target } from '@mreg/testing/e2e';
import { announceSkip, serverOrSkip } from '@mreg/testing/infra';

// Issue 9, scale out: every service process in a network namespace of its own (its own loopback and ports; veth
// pairs on a bridge of the run's own), two replicas each, the gateway on the host. The namespaces reach the servers
// (Kafka, FerretDB, S3, the PostgreSQL log) through forwarders of exactly those ports and nothing else, so what the
// scenarios prove here, the services do sharing the servers only.
const kafka = serverOrSkip('kafka', 'network namespaces e2e');
const mongo = kafka ? serverOrSkip('mongo', 'network namespaces e2e') : undefined;
const s3 = mongo ? serverOrSkip('s3', 'network namespaces e2e') : undefined;
const postgres = s3 ? serverOrSkip('postgres', 'network namespaces e2e') : undefined;
const servers = [kafka, mongo, s3, postgres].every((s) => s !== undefined && s !== 'docker');
const unavailable = servers ? networkNamespacesUnavailable() : undefined;
if (unavailable) announceSkip('network namespaces e2e', unavailable);

const REPLICAS = 2;
let namespaces: NetworkNamespaces | undefined;
let topology: DistributedTopology | undefined;
let target: Target | undefined;
let work = '';

(servers && !unavailable ? describe : describe.skip)('distributed topology, every service process in a network namespace of its own', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'mreg-netns-'));
    namespaces = await NetworkNamespaces.create(process.env);
    topology = new DistributedTopology({ root: resolve(__dirname, '../../..'), workDir: work, env: process.env, postgresUrl: postgres, replicas: REPLICAS, networkNamespaces: namespaces });
    await topology.start();
    target = topology.target;
  }, 300_000);

  afterAll(async () => {
    await topology?.stop();
    await namespaces?.close();
    if (topology && postgres) {
      const client = new Client({ connectionString: postgres });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${topology.postgresSchema}" CASCADE`);
      await client.end();
    }
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('runs each of the eight service processes on its own network stack: one address each, all on port 8080', async () => {
    const t = topology as DistributedTopology;
    const instances = SERVICES.flatMap((service) => Array.from({ length: REPLICAS }, (_, replica) => ({ service, replica })));
    const addresses = instances.map(({ service, replica }) => t.hostOf(service, replica));

    expect(new Set(addresses).size).toBe(instances.length);
    expect(addresses.every((a) => a !== '127.0.0.1')).toBe(true);
    expect(instances.map(({ service, replica }) => t.portOf(service, replica))).toEqual(instances.map(() => 8080));
    for (const { service, replica } of instances) {
      expect({ service, replica, status: (await fetch(`http://${t.hostOf(service, replica)}:8080/ready`)).status }).toEqual({ service, replica, status: 200 });
    }
    // Inside a namespace: its loopback and its own address on the bridge, nothing of the host's.
    for (const name of namespaces?.names ?? []) {
      const addressesInside = execFileSync('ip', ['netns', 'exec', name, 'ip', '-o', '-4', 'addr', 'show'], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
        .map((line) => /inet (\S+)\//.exec(line)?.[1]);
      expect(addressesInside).toHaveLength(2);
      expect(addressesInside).toContain('127.0.0.1');
    }
  });

  runScenarios(
    () => {
      if (!target) throw new Error('topology not started');
      return target;
    },
    (name) => name.startsWith('main flow') || name.startsWith('read-your-writes') || name.startsWith('artifacts'),
  );
});

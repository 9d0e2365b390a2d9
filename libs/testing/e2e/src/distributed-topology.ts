import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NetworkNamespaces } from './network-namespaces';
import { castTarget, castTokensJson } from './registry-client';
import type { Target } from './registry-client';
import { WEBHOOK_TEST_ENV } from './webhook-receiver';

/** The production shape on this machine: four services and the gateway as separate OS processes. */
export const SERVICES = ['registration-service', 'governance-service', 'artifact-service', 'audit-service'] as const;
export type ServiceName = (typeof SERVICES)[number] | 'gateway';

interface Running {
  readonly port: number;
  /** Where it listens: 127.0.0.1, or its network namespace's address. */
  readonly host: string;
  process: ChildProcess;
}

/** A service's replica: 0 is the first (and only one without `replicas`). */
export type Replica = number;

/** A TCP port free on the loopback now (for a server whose URL must be known before it starts). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface DistributedOptions {
  /** Workspace root (apps/ with their build output, and tools/). */
  readonly root: string;
  /** Scratch folder for logs, the shared SQLite log (without `postgresUrl`) and per-service data. */
  readonly workDir: string;
  /** Real servers: MREG_KAFKA_BROKERS, MREG_MONGO_URL, MREG_S3_* (from the jest global setup). */
  readonly env: NodeJS.ProcessEnv;
  /** Settings that replace the topology's defaults for every process (e.g. MREG_CONSISTENCY_TIMEOUT_MS). */
  readonly overrides?: NodeJS.ProcessEnv;
  /**
   * The log on a PostgreSQL server, in a schema of the run's own (`postgresSchema`): a networked log, as in
   * production (docs/decisions/0025). Without it, the SQLite event store file the processes share.
   */
  readonly postgresUrl?: string;
  /**
   * Processes per service (default 1; the gateway is always one): with 2, every service runs twice behind the
   * gateway, the relays elect one publisher each and the projections split the partitions (docs/decisions/0028).
   */
  readonly replicas?: number;
  /**
   * Runs every service process in a network namespace of its own (the gateway stays on the host), joined to the
   * host by a bridge that carries the servers' ports and nothing else; all services then listen on port 8080.
   */
  readonly networkNamespaces?: NetworkNamespaces;
  /** The gateway's port, when its URL must be known before it starts (a provider's redirect URI); default: a free one. */
  readonly gatewayPort?: number;
}

/**
 * Starts registration, governance, artifact and audit services plus the gateway. They share nothing but Kafka
 * (events), MongoDB (read models), S3 (blobs) and the log: EventStoreDB or PostgreSQL in production; here, where no
 * EventStoreDB can run, PostgreSQL when given (docs/decisions/0025), else the SQLite event store file shared by the
 * processes (docs/decisions/0011).
 */
export class DistributedTopology {
  /** By `service#replica`. */
  private readonly running = new Map<string, Running>();
  private readonly namespace = `e2e-${randomBytes(4).toString('hex')}.`;
  private readonly common: NodeJS.ProcessEnv;

  constructor(private readonly options: DistributedOptions) {
    mkdirSync(options.workDir, { recursive: true });
    this.common = {
      ...options.env,
      // Webhook scenarios deliver to a receiver on the loopback, retried fast; every replica shares the signing key.
      ...WEBHOOK_TEST_ENV,
      MREG_TOKENS: castTokensJson(),
      ...(options.postgresUrl
        ? { MREG_EVENT_STORE: 'postgres', MREG_POSTGRES_URL: options.postgresUrl, MREG_POSTGRES_SCHEMA: this.postgresSchema }
        : { MREG_EVENT_STORE: 'sqlite', MREG_EVENT_STORE_PATH: join(options.workDir, 'events.sqlite') }),
      MREG_EVENT_BUS: 'kafka',
      MREG_KAFKA_NAMESPACE: this.namespace,
      MREG_KAFKA_PARTITIONS: '3',
      MREG_READ_STORE: 'mongo',
      MREG_MONGO_DB: `mreg_${this.namespace.replace(/[^a-z0-9]/g, '')}`,
      MREG_ARTIFACT_STORAGE: 's3',
      MREG_S3_BUCKET: `mreg-${this.namespace.replace(/[^a-z0-9]/g, '')}`,
      MREG_HOST: '127.0.0.1',
      MREG_LOG_LEVEL: 'warn',
      MREG_CONSISTENCY_TIMEOUT_MS: '15000',
      ...(options.overrides ?? {}),
    };
  }

  /** The PostgreSQL schema of the run's log (with `postgresUrl`): `mreg_` and the run's namespace. */
  get postgresSchema(): string {
    return `mreg_${this.namespace.replace(/[^a-z0-9]/g, '_').replace(/_+$/, '')}`;
  }

  get target(): Target {
    return castTarget(`http://127.0.0.1:${this.portOf('gateway')}`);
  }

  /** Processes per service (the gateway: one). */
  get replicas(): number {
    return Math.max(1, Math.floor(this.options.replicas ?? 1));
  }

  private replicasOf(service: ServiceName): Replica[] {
    return Array.from({ length: service === 'gateway' ? 1 : this.replicas }, (_, i) => i);
  }

  private static key(service: ServiceName, replica: Replica): string {
    return `${service}#${replica}`;
  }

  portOf(service: ServiceName, replica: Replica = 0): number {
    const r = this.running.get(DistributedTopology.key(service, replica));
    if (!r) throw new Error(`${service} (replica ${replica}) is not started`);
    return r.port;
  }

  /** The address a replica listens on (its namespace's, with `networkNamespaces`). */
  hostOf(service: ServiceName, replica: Replica = 0): string {
    const r = this.running.get(DistributedTopology.key(service, replica));
    if (!r) throw new Error(`${service} (replica ${replica}) is not started`);
    return r.host;
  }

  /** The process id of a running replica (to find the one holding a lease, say). */
  pidOf(service: ServiceName, replica: Replica = 0): number | undefined {
    return this.running.get(DistributedTopology.key(service, replica))?.process.pid;
  }

  async start(): Promise<void> {
    // One Nx build for all processes (cached: a no-op when nothing changed); each runs from apps/<app>/dist and
    // resolves its @mreg/* imports through the workspace packages.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the build helper is plain CommonJS outside the TS graph
    const { buildApps } = require(join(this.options.root, 'tools', 'build', 'nx.cjs')) as { buildApps(apps: readonly string[]): Promise<{ ok: boolean }> };
    const result = await buildApps([...SERVICES, 'gateway']);
    if (!result.ok) throw new Error('build failed (nx run-many -t build, output above)');
    // Replicas of a service start together (they join their consumer groups together: one rebalance, not two).
    const portFor = async () => (this.options.networkNamespaces ? 8080 : freePort());
    for (const service of SERVICES) await Promise.all(this.replicasOf(service).map(async (replica) => this.startService(service, await portFor(), replica)));
    await this.startService('gateway', this.options.gatewayPort ?? (await freePort()));
  }

  private isolated(service: ServiceName): boolean {
    return this.options.networkNamespaces !== undefined && service !== 'gateway';
  }

  private envFor(service: ServiceName, port: number, replica: Replica): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...this.common, PORT: String(port), MREG_DATA_DIR: join(this.options.workDir, this.instanceName(service, replica)) };
    // In its own namespace a service listens on its namespace's address too, where the gateway reaches it.
    if (this.isolated(service)) env['MREG_HOST'] = '0.0.0.0';
    if (service === 'gateway') {
      const urls = (upstream: ServiceName) =>
        this.replicasOf(upstream)
          .map((r) => `http://${this.hostOf(upstream, r)}:${this.portOf(upstream, r)}`)
          .join(',');
      env['MREG_REGISTRATION_URL'] = urls('registration-service');
      env['MREG_GOVERNANCE_URL'] = urls('governance-service');
      env['MREG_ARTIFACT_URL'] = urls('artifact-service');
      env['MREG_AUDIT_URL'] = urls('audit-service');
    }
    return env;
  }

  /** `registration-service`, `registration-service-2`, …: its log file and data folder. */
  private instanceName(service: ServiceName, replica: Replica): string {
    return replica === 0 ? service : `${service}-${replica + 1}`;
  }

  private logFile(service: ServiceName, replica: Replica): string {
    return join(this.options.workDir, `${this.instanceName(service, replica)}.log`);
  }

  async startService(service: ServiceName, port: number, replica: Replica = 0): Promise<void> {
    const entry = join(this.options.root, 'apps', service, 'dist', 'main.js');
    const log = createWriteStream(this.logFile(service, replica), { flags: 'a' });
    const namespaces = this.isolated(service) ? this.options.networkNamespaces : undefined;
    const namespace = namespaces ? await namespaces.namespaceFor(this.instanceName(service, replica)) : undefined;
    // `ip netns exec` enters the namespace and then runs node in the same process, so signals reach node itself.
    const [command, ...args] = [...(namespace ? ['ip', 'netns', 'exec', namespace.name] : []), process.execPath, '--enable-source-maps', entry];
    const child = spawn(command ?? process.execPath, args, {
      env: this.envFor(service, port, replica),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const host = namespace?.address ?? '127.0.0.1';
    this.running.set(DistributedTopology.key(service, replica), { port, host, process: child });
    await this.waitHealthy(service, host, port, child, replica);
  }

  private async waitHealthy(service: ServiceName, host: string, port: number, child: ChildProcess, replica: Replica): Promise<void> {
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) break;
      try {
        // Ready, not just alive: a Kafka service listens before its consumers have joined their groups.
        const res = await fetch(`http://${host}:${port}/ready`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`${this.instanceName(service, replica)} did not become healthy; log tail:\n${this.logTail(service, 40, replica)}`);
  }

  logTail(service: ServiceName, lines = 40, replica: Replica = 0): string {
    try {
      return readFileSync(this.logFile(service, replica), 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** Kills a service the hard way (SIGKILL: no shutdown hooks) and waits until it is gone. */
  async kill(service: ServiceName, signal: NodeJS.Signals = 'SIGKILL', replica: Replica = 0): Promise<void> {
    const r = this.running.get(DistributedTopology.key(service, replica));
    if (!r || r.process.exitCode !== null || r.process.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => r.process.once('exit', () => resolve()));
    r.process.kill(signal);
    await gone;
  }

  /** Whether the service's process is alive. */
  isRunning(service: ServiceName, replica: Replica = 0): boolean {
    const r = this.running.get(DistributedTopology.key(service, replica));
    return r !== undefined && r.process.exitCode === null && r.process.signalCode === null;
  }

  /**
   * A crash and a restart: SIGKILL (no shutdown hooks, nothing flushed, consumer group members left to time out),
   * then the same service again on the same port, with the same environment and data.
   */
  async crashAndRestart(service: ServiceName, replica: Replica = 0): Promise<void> {
    const port = this.portOf(service, replica);
    await this.kill(service, 'SIGKILL', replica);
    await this.startService(service, port, replica);
  }

  /** Starts a service that was killed again, on its port (see {@link kill}). */
  async revive(service: ServiceName, replica: Replica = 0): Promise<void> {
    if (this.isRunning(service, replica)) throw new Error(`${service} (replica ${replica}) is running`);
    await this.startService(service, this.portOf(service, replica), replica);
  }

  /** The environment a service runs with (its port and data dir included). */
  envOf(service: ServiceName, replica: Replica = 0): NodeJS.ProcessEnv {
    return this.envFor(service, this.portOf(service, replica), replica);
  }

  async restart(service: ServiceName, replica: Replica = 0): Promise<void> {
    const port = this.portOf(service, replica);
    await this.kill(service, 'SIGTERM', replica);
    await this.startService(service, port, replica);
  }

  async stop(): Promise<void> {
    for (const service of ['gateway', ...SERVICES] as ServiceName[]) for (const replica of this.replicasOf(service)) await this.kill(service, 'SIGTERM', replica).catch(() => undefined);
  }

  get environment(): NodeJS.ProcessEnv {
    return { ...this.common };
  }
}

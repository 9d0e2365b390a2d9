import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { castTarget, castTokensJson } from './registry-client';
import type { Target } from './registry-client';

/** The production shape on this machine: four services and the gateway as separate OS processes. */
export const SERVICES = ['registration-service', 'governance-service', 'artifact-service', 'audit-service'] as const;
export type ServiceName = (typeof SERVICES)[number] | 'gateway';

interface Running {
  readonly port: number;
  process: ChildProcess;
}

async function freePort(): Promise<number> {
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
}

/**
 * Starts registration, governance, artifact and audit services plus the gateway. They share nothing but Kafka
 * (events), MongoDB (read models), S3 (blobs) and the log: EventStoreDB or PostgreSQL in production; here, where no
 * EventStoreDB can run, PostgreSQL when given (docs/decisions/0025), else the SQLite event store file shared by the
 * processes (docs/decisions/0011).
 */
export class DistributedTopology {
  private readonly running = new Map<ServiceName, Running>();
  private readonly namespace = `e2e-${randomBytes(4).toString('hex')}.`;
  private readonly common: NodeJS.ProcessEnv;

  constructor(private readonly options: DistributedOptions) {
    mkdirSync(options.workDir, { recursive: true });
    this.common = {
      ...options.env,
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

  portOf(service: ServiceName): number {
    const r = this.running.get(service);
    if (!r) throw new Error(`${service} is not started`);
    return r.port;
  }

  async start(): Promise<void> {
    // One Nx build for all processes (cached: a no-op when nothing changed); each runs from apps/<app>/dist and
    // resolves its @mreg/* imports through the workspace packages.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the build helper is plain CommonJS outside the TS graph
    const { buildApps } = require(join(this.options.root, 'tools', 'build', 'nx.cjs')) as { buildApps(apps: readonly string[]): Promise<{ ok: boolean }> };
    const result = await buildApps([...SERVICES, 'gateway']);
    if (!result.ok) throw new Error('build failed (nx run-many -t build, output above)');
    for (const service of SERVICES) await this.startService(service, await freePort());
    await this.startService('gateway', await freePort());
  }

  private envFor(service: ServiceName, port: number): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...this.common, PORT: String(port), MREG_DATA_DIR: join(this.options.workDir, service) };
    if (service === 'gateway') {
      env['MREG_REGISTRATION_URL'] = `http://127.0.0.1:${this.portOf('registration-service')}`;
      env['MREG_GOVERNANCE_URL'] = `http://127.0.0.1:${this.portOf('governance-service')}`;
      env['MREG_ARTIFACT_URL'] = `http://127.0.0.1:${this.portOf('artifact-service')}`;
      env['MREG_AUDIT_URL'] = `http://127.0.0.1:${this.portOf('audit-service')}`;
    }
    return env;
  }

  private logFile(service: ServiceName): string {
    return join(this.options.workDir, `${service}.log`);
  }

  async startService(service: ServiceName, port: number): Promise<void> {
    const entry = join(this.options.root, 'apps', service, 'dist', 'main.js');
    const log = createWriteStream(this.logFile(service), { flags: 'a' });
    const child = spawn(process.execPath, ['--enable-source-maps', entry], {
      env: this.envFor(service, port),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.running.set(service, { port, process: child });
    await this.waitHealthy(service, port, child);
  }

  private async waitHealthy(service: ServiceName, port: number, child: ChildProcess): Promise<void> {
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) break;
      try {
        // Ready, not just alive: a Kafka service listens before its consumers have joined their groups.
        const res = await fetch(`http://127.0.0.1:${port}/ready`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`${service} did not become healthy; log tail:\n${this.logTail(service)}`);
  }

  logTail(service: ServiceName, lines = 40): string {
    try {
      return readFileSync(this.logFile(service), 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** Kills a service the hard way (SIGKILL: no shutdown hooks) and waits until it is gone. */
  async kill(service: ServiceName, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const r = this.running.get(service);
    if (!r || r.process.exitCode !== null || r.process.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => r.process.once('exit', () => resolve()));
    r.process.kill(signal);
    await gone;
  }

  /** Whether the service's process is alive. */
  isRunning(service: ServiceName): boolean {
    const r = this.running.get(service);
    return r !== undefined && r.process.exitCode === null && r.process.signalCode === null;
  }

  /**
   * A crash and a restart: SIGKILL (no shutdown hooks, nothing flushed, consumer group members left to time out),
   * then the same service again on the same port, with the same environment and data.
   */
  async crashAndRestart(service: ServiceName): Promise<void> {
    const port = this.portOf(service);
    await this.kill(service, 'SIGKILL');
    await this.startService(service, port);
  }

  /** Starts a service that was killed again, on its port (see {@link kill}). */
  async revive(service: ServiceName): Promise<void> {
    if (this.isRunning(service)) throw new Error(`${service} is running`);
    await this.startService(service, this.portOf(service));
  }

  /** The environment a service runs with (its port and data dir included). */
  envOf(service: ServiceName): NodeJS.ProcessEnv {
    return this.envFor(service, this.portOf(service));
  }

  async restart(service: ServiceName): Promise<void> {
    const port = this.portOf(service);
    await this.kill(service, 'SIGTERM');
    await this.startService(service, port);
  }

  async stop(): Promise<void> {
    for (const service of ['gateway', ...SERVICES] as ServiceName[]) await this.kill(service, 'SIGTERM').catch(() => undefined);
  }

  get environment(): NodeJS.ProcessEnv {
    return { ...this.common };
  }
}

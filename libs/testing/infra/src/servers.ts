import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Real servers for integration tests, found in this order (docs/operations/infra.md): a URL from the environment → a Docker
 * engine (testcontainers) → the project's own tools/infra scripts → a loud skip with the reason.
 * Resolution runs once per jest run (global setup) and hands its results to test files through env vars.
 */
export type ServerName = 'kafka' | 'mongo' | 's3' | 'postgres' | 'kurrentdb';

interface ServerSpec {
  /** Env var holding the address; set means "use it". */
  readonly urlVar: string;
  /** tools/infra script that can start one here, if any. */
  readonly script?: string;
  /** Why there is no script (printed in the skip reason). */
  readonly noScript?: string;
}

export const SERVERS: Readonly<Record<ServerName, ServerSpec>> = {
  kafka: { urlVar: 'MREG_KAFKA_BROKERS', script: 'kafka.sh' },
  mongo: { urlVar: 'MREG_MONGO_URL', script: 'ferretdb.sh' },
  s3: { urlVar: 'MREG_S3_ENDPOINT', script: 's3.sh' },
  postgres: { urlVar: 'MREG_POSTGRES_URL', script: 'postgres.sh' },
  kurrentdb: { urlVar: 'MREG_KURRENTDB_URL', noScript: 'no KurrentDB/EventStoreDB server binary can be obtained from the package registries this machine reaches' },
};

const skipVar = (name: ServerName) => `MREG_${name.toUpperCase()}_SKIP_REASON`;
const startedVar = (name: ServerName) => `MREG_${name.toUpperCase()}_STARTED_BY_TESTS`;

export function repoRoot(): string {
  let dir = resolve(__dirname);
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = resolve(dir, '..');
    if (parent === dir) throw new Error('workspace root not found');
    dir = parent;
  }
  return dir;
}

/** Whether a Docker engine answers (the docker CLI alone is not enough). */
export function dockerAvailable(): boolean {
  if (process.env['MREG_NO_DOCKER'] === '1') return false;
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

function applyExports(text: string): void {
  for (const line of text.split('\n')) {
    const m = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m?.[1] || m[2] === undefined) continue;
    process.env[m[1]] = m[2].replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');
  }
}

/**
 * Resolves one server for this test run: sets its URL env var (and friends) or a skip reason.
 * Docker-backed servers are started by the suites that use testcontainers themselves.
 */
export function resolveServer(name: ServerName, options: { startScripts: boolean }): void {
  const spec = SERVERS[name];
  if (process.env[spec.urlVar]) return;
  if (dockerAvailable()) {
    process.env[`MREG_${name.toUpperCase()}_USE_DOCKER`] = '1';
    return;
  }
  if (!spec.script) {
    process.env[skipVar(name)] = `no ${spec.urlVar} set, no Docker engine for testcontainers, and ${spec.noScript ?? 'no local script'}`;
    return;
  }
  if (!options.startScripts) {
    process.env[skipVar(name)] = `no ${spec.urlVar} set, no Docker engine, and MREG_START_SERVERS=0`;
    return;
  }
  const script = join(repoRoot(), 'tools', 'infra', spec.script);
  try {
    const wasRunning = (() => {
      try {
        execFileSync('bash', [script, 'status'], { stdio: 'pipe' });
        return true;
      } catch {
        return false;
      }
    })();
    if (!wasRunning) process.stderr.write(`[mreg tests] starting ${name} with tools/infra/${spec.script} (the first time it is downloaded/built into the cache)\n`);
    execFileSync('bash', [script, 'start'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 15 * 60 * 1000 });
    applyExports(execFileSync('bash', [script, 'env'], { encoding: 'utf8' }));
    if (!wasRunning) process.env[startedVar(name)] = '1';
    if (!process.env[spec.urlVar]) throw new Error(`${spec.script} env did not print ${spec.urlVar}`);
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n').slice(0, 5).join(' ') : String(error);
    process.env[skipVar(name)] = `tools/infra/${spec.script} could not start it: ${detail}`;
  }
}

/** Stops the servers this test run started itself (never ones that were already running). */
export function stopStartedServers(): void {
  for (const name of Object.keys(SERVERS) as ServerName[]) {
    const spec = SERVERS[name];
    if (process.env[startedVar(name)] !== '1' || !spec.script) continue;
    try {
      execFileSync('bash', [join(repoRoot(), 'tools', 'infra', spec.script), 'stop'], { stdio: 'ignore', timeout: 60000 });
    } catch {
      // best effort: a leftover server only costs a port
    }
  }
}

/** Prints why a suite or test is skipped, so a skip never passes silently. */
export function announceSkip(suite: string, reason: string): void {
  process.stderr.write(`\n*** SKIPPED ${suite}: ${reason}\n\n`);
}

/** For a test file: the server's address, or undefined after printing why its suite is skipped. */
export function serverOrSkip(name: ServerName, suite: string): string | undefined {
  const url = process.env[SERVERS[name].urlVar];
  if (url) return url;
  if (process.env[`MREG_${name.toUpperCase()}_USE_DOCKER`] === '1') return 'docker';
  const reason = process.env[skipVar(name)] ?? `${SERVERS[name].urlVar} is not set and the jest global setup did not run`;
  announceSkip(suite, `${name} is not available: ${reason}`);
  return undefined;
}

/** `describe` when the server is there, `describe.skip` (announced loudly) when not. */
export function describeWithServer(name: ServerName, suite: string, body: (url: string) => void): void {
  const url = serverOrSkip(name, suite);
  if (url) describe(suite, () => body(url));
  else describe.skip(`${suite} [SKIPPED: ${name} unavailable]`, () => it('needs a real server', () => undefined));
}

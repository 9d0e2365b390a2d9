import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { join } from 'node:path';

/** A TCP endpoint, as a forwarder listens on or connects to it. */
interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** Why network namespaces cannot be used here (not root, no `ip`, no veth support), or undefined when they can. */
export function networkNamespacesUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces are Linux-only (this is ${process.platform})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'creating network namespaces needs root (CAP_NET_ADMIN)';
  const probe = `mreg-probe-${randomInt(1 << 24).toString(16)}`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
    execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe' });
    return undefined;
  } catch (error: unknown) {
    return `ip netns failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
}

/** The servers' TCP endpoints on this host's loopback, from the URLs the services are given. */
export function serverEndpoints(env: NodeJS.ProcessEnv): Endpoint[] {
  const endpoints: Endpoint[] = [];
  const add = (host: string | undefined, port: string | number | undefined, fallback: number) => {
    if (host === undefined || host === '') return;
    endpoints.push({ host: host.replace(/^\[|\]$/g, ''), port: Number(port === undefined || port === '' ? fallback : port) });
  };
  for (const broker of (env['MREG_KAFKA_BROKERS'] ?? '').split(',').filter(Boolean)) {
    const [host, port] = broker.split(':');
    add(host, port, 9092);
  }
  for (const [name, fallback] of [
    ['MREG_MONGO_URL', 27017],
    ['MREG_S3_ENDPOINT', 80],
    ['MREG_POSTGRES_URL', 5432],
  ] as const) {
    const value = env[name];
    if (value) {
      const url = new URL(value);
      add(url.hostname, url.port, fallback);
    }
  }
  const seen = new Set<string>();
  return endpoints.filter((e) => {
    const key = `${e.host}:${e.port}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Services in network namespaces of their own (issue 9, scale out): each process gets its own network stack — its
 * own loopback, its own ports — joined to the host by a veth pair on a bridge of the run's own. Nothing of the
 * host's loopback is reachable from inside but the servers' ports, which a forwarder in each namespace carries to
 * the bridge, where another carries them to the servers; so the services share the servers and nothing else, and
 * the gateway (on the host) reaches each one at its namespace's address. Needs root; everything is removed on
 * `close()`, and names carry a random part so runs do not collide.
 */
export class NetworkNamespaces {
  private readonly id = randomInt(1 << 20).toString(16);
  private readonly subnet = `10.${200 + randomInt(50)}.${randomInt(256)}`;
  private readonly bridge = `mrb${this.id}`;
  private readonly namespaces = new Map<string, { readonly name: string; readonly address: string; readonly forwarder: ChildProcess }>();
  private hostForwarder?: ChildProcess;
  private next = 10;

  private constructor(private readonly servers: readonly Endpoint[]) {}

  /** Creates the bridge and the host's forwarder from the bridge to the servers. */
  static async create(env: NodeJS.ProcessEnv): Promise<NetworkNamespaces> {
    const isolation = new NetworkNamespaces(serverEndpoints(env));
    try {
      ip('link', 'add', isolation.bridge, 'type', 'bridge');
      ip('addr', 'add', `${isolation.gatewayAddress}/24`, 'dev', isolation.bridge);
      ip('link', 'set', isolation.bridge, 'up');
      isolation.hostForwarder = await forwarder(
        [],
        isolation.servers.map((s) => ({ from: { host: isolation.gatewayAddress, port: s.port }, to: s })),
      );
    } catch (error: unknown) {
      await isolation.close();
      throw error;
    }
    return isolation;
  }

  /** The host's address on the bridge: where the namespaces' forwarders reach the servers. */
  get gatewayAddress(): string {
    return `${this.subnet}.1`;
  }

  /** The namespaces' names (for a look with `ip netns exec`). */
  get names(): string[] {
    return [...this.namespaces.values()].map((n) => n.name);
  }

  /** The namespace for `instance` (created on first use): its name and its address on the bridge. */
  async namespaceFor(instance: string): Promise<{ name: string; address: string }> {
    const known = this.namespaces.get(instance);
    if (known) return known;
    const index = this.next++;
    const name = `mreg-${this.id}-${index}`;
    const address = `${this.subnet}.${index}`;
    // veth names are at most 15 bytes.
    const [outside, inside] = [`mv${this.id}o${index}`, `mv${this.id}i${index}`];
    ip('netns', 'add', name);
    ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', inside);
    ip('link', 'set', inside, 'netns', name);
    ip('link', 'set', outside, 'master', this.bridge, 'up');
    ip('netns', 'exec', name, 'ip', 'addr', 'add', `${address}/24`, 'dev', inside);
    ip('netns', 'exec', name, 'ip', 'link', 'set', inside, 'up');
    ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
    // The servers' ports on the namespace's own loopback, so the services use the URLs they are given unchanged
    // (Kafka tells its clients to come back to the address it advertises, 127.0.0.1).
    const forwarding = await forwarder(
      ['ip', 'netns', 'exec', name],
      this.servers.map((s) => ({ from: { host: s.host, port: s.port }, to: { host: this.gatewayAddress, port: s.port } })),
    );
    const entry = { name, address, forwarder: forwarding };
    this.namespaces.set(instance, entry);
    return entry;
  }

  /** The command prefix that runs a program in `instance`'s namespace. */
  async prefixFor(instance: string): Promise<string[]> {
    return ['ip', 'netns', 'exec', (await this.namespaceFor(instance)).name];
  }

  async close(): Promise<void> {
    for (const { name, forwarder: child } of this.namespaces.values()) {
      child.kill('SIGTERM');
      // Deleting the namespace removes its end of the veth pair, and with it the other end.
      try {
        ip('netns', 'del', name);
      } catch {
        // already gone
      }
    }
    this.namespaces.clear();
    this.hostForwarder?.kill('SIGTERM');
    try {
      ip('link', 'del', this.bridge);
    } catch {
      // already gone
    }
  }
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: 'pipe' });
}

/** Starts tcp-forward.cjs (under `prefix`, e.g. in a namespace) and resolves once it listens. */
function forwarder(prefix: readonly string[], routes: readonly { from: Endpoint; to: Endpoint }[]): Promise<ChildProcess> {
  const [command, ...args] = [...prefix, process.execPath, join(__dirname, 'tcp-forward.cjs'), JSON.stringify(routes)];
  const child = spawn(command ?? process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`forwarder exited (${String(code)}): ${errors.trim()}`)));
    child.once('error', reject);
  });
}

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from './servers';

/** A machine the test provider knows: its client credentials, the claims its tokens carry, their lifetime. */
export interface OidcTestClient {
  readonly id: string;
  readonly secret: string;
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Access token lifetime in seconds (default 300). */
  readonly ttl?: number;
}

/** A browser application that signs people in (authorization code with PKCE): the web console. */
export interface OidcTestConsoleClient {
  readonly id: string;
  readonly redirectUris: readonly string[];
  /** Makes it a confidential client (basic auth at the token endpoint); absent: a public one. */
  readonly secret?: string;
}

/** A person the test provider signs in, with the claims its tokens carry about them. */
export interface OidcTestAccount {
  readonly id: string;
  readonly password: string;
  readonly claims?: Readonly<Record<string, unknown>>;
}

export interface OidcTestProviderOptions {
  /** The resource indicators (audiences) it issues tokens for; the first is the default. */
  readonly resources: readonly string[];
  readonly clients: readonly OidcTestClient[];
  readonly consoleClients?: readonly OidcTestConsoleClient[];
  readonly accounts?: readonly OidcTestAccount[];
}

interface Started {
  readonly issuer: string;
  readonly kid: string;
  readonly jwks: { readonly keys: readonly Record<string, unknown>[] };
}

/**
 * A real OpenID provider (oidc-provider, run by tools/infra/oidc/provider.mjs in a process of its own) for the
 * single sign-on tests: real discovery, a real JWKS, real JWT access tokens from the client credentials grant and,
 * for people, from the authorization code flow behind its own sign-in page.
 * `rotate()` restarts it on the same port with a new signing key. Failing to start throws: a suite that needs it
 * never passes without it.
 */
export class OidcTestProvider {
  private child?: ChildProcess;
  private started?: Started;
  private port = 0;

  constructor(private readonly options: OidcTestProviderOptions) {}

  get issuer(): string {
    if (!this.started) throw new Error('the OpenID test provider is not running');
    return this.started.issuer;
  }

  /** The key id signing tokens now. */
  get kid(): string {
    if (!this.started) throw new Error('the OpenID test provider is not running');
    return this.started.kid;
  }

  /** The public key set it publishes now. */
  get jwks(): Started['jwks'] {
    if (!this.started) throw new Error('the OpenID test provider is not running');
    return this.started.jwks;
  }

  async start(): Promise<void> {
    const script = join(repoRoot(), 'tools/infra/oidc/provider.mjs');
    const child = spawn(process.execPath, [script], {
      env: { ...process.env, OIDC_PROVIDER_CONFIG: JSON.stringify({ port: this.port, ...this.options }) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const line = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`the OpenID test provider (${script}) exited with ${String(code)} before it listened:\n${stderr}`)));
      child.once('error', reject);
      setTimeout(() => reject(new Error(`the OpenID test provider did not start within 30 s:\n${stderr}`)), 30_000).unref();
    });
    this.started = JSON.parse(line) as Started;
    this.port = Number(new URL(this.started.issuer).port);
  }

  /** Stops it and starts it again on the same port (the same issuer) with a new signing key: a key rotation. */
  async rotate(): Promise<void> {
    const before = this.started?.kid;
    await this.stop();
    await this.start();
    if (this.started?.kid === before) throw new Error('the provider came back with the same key');
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
    this.child = undefined;
  }

  /** A token from the client credentials grant for `resource` (default: the first resource). */
  async token(clientId: string, resource = this.options.resources[0]): Promise<string> {
    const client = this.options.clients.find((c) => c.id === clientId);
    if (!client) throw new Error(`no test client ${clientId}`);
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret, scope: 'api', ...(resource !== undefined ? { resource } : {}) });
    const reply = await fetch(`${this.issuer}/token`, { method: 'POST', body });
    const json = (await reply.json()) as { access_token?: string; error?: string; error_description?: string };
    if (!reply.ok || json.access_token === undefined) throw new Error(`the provider refused a token: ${reply.status} ${json.error ?? ''} ${json.error_description ?? ''}`);
    return json.access_token;
  }
}

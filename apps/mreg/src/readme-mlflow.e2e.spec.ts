import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { scratchRegistry } from './__tests__/scratch-registry';

// The README's "Use it from MLflow" section is executable documentation too: its Python block runs verbatim
// with the official MLflow client (the project's pinned venv) against a registry configured as the README says.
const ROOT = resolve(__dirname, '../../..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const section = README.slice(README.indexOf('## Use it from MLflow'), README.indexOf('## Configuration'));
const exports = /```bash\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
const python = /```python\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
const tokensJson = /export MREG_TOKENS='([\s\S]*?)'/.exec(README)?.[1] ?? '';
const run = promisify(execFile);

function envOf(block: string, port: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of block.matchAll(/^export (\w+)=(\S+)$/gm)) env[m[1]] = m[2].replace('127.0.0.1:8080', `127.0.0.1:${port}`);
  return env;
}

describe('README: use it from MLflow', () => {
  let pythonBin = '';
  beforeAll(async () => {
    // The pinned official client; created once into the cache (tools/python/venv.sh), minutes on a new machine.
    pythonBin = join((await run('bash', [join(ROOT, 'tools/python/venv.sh')], { encoding: 'utf8' })).stdout.trim(), 'bin', 'python');
  }, 900_000);
  const started = scratchRegistry('mreg-readme-mlflow-', { MREG_TOKENS: tokensJson });

  it('has the client settings and the example', () => {
    expect(exports).toContain('MLFLOW_TRACKING_TOKEN');
    expect(python).toContain('registered_model_name="churn-model"');
  });

  it('logs, registers, loads by alias, and opens a transition request instead of bypassing approval', async () => {
    const registry = started.registry();
    const dir = started.dir();
    const port = new URL(registry.url).port;
    const env = { ...process.env, ...envOf(exports, port), MLFLOW_DISABLE_TELEMETRY: 'true', PYTHONWARNINGS: 'ignore' };
    const { stdout } = await run(pythonBin, ['-c', python], { cwd: dir, env, encoding: 'utf8', timeout: 300_000 });
    expect(stdout).toMatch(/\[1\]/);
    const transitionId = /transition request ([0-9a-f-]{36})/.exec(stdout)?.[1];
    expect(transitionId).toBeDefined();

    // What the README says happens next: Bob approves, the Production stage loads, provenance tells it all.
    const tokens = JSON.parse(tokensJson) as Record<string, { user: string }>;
    const tokenOf = (user: string) => Object.entries(tokens).find(([, p]) => p.user === user)?.[0] ?? '';
    const approved = await fetch(`${registry.url}/api/v1/transitions/${transitionId ?? ''}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokenOf('bob')}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(approved.status).toBe(200);
    const load = 'import mlflow; print(mlflow.pyfunc.load_model("models:/churn-model/Production").predict([[0.5]]))';
    expect((await run(pythonBin, ['-c', load], { cwd: dir, env, encoding: 'utf8', timeout: 300_000 })).stdout).toMatch(/\[0\]/);
    const provenance = (await (await fetch(`${registry.url}/api/v1/models/churn-model/versions/1/provenance`, { headers: { authorization: `Bearer ${tokenOf('alice')}` } })).json()) as Record<string, unknown>;
    expect(provenance).toMatchObject({
      stage: 'production',
      registeredBy: 'alice',
      training: { runId: expect.any(String), loggedModelId: expect.stringMatching(/^m-/), params: { C: '1.0' }, metrics: { accuracy: 1 } },
      artifacts: expect.arrayContaining([expect.objectContaining({ path: 'MLmodel', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) })]),
      integrity: { verified: true },
    });
    expect(JSON.stringify(provenance['transitionRequests'])).toContain('bob');
  }, 600_000);
});

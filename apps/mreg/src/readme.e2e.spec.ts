import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { scratchRegistry } from './__tests__/scratch-registry';

// The README's walk-through is executable documentation: run its shell blocks verbatim (only the port differs)
// against a registry configured exactly as the README says.
const README = readFileSync(resolve(__dirname, '../../../README.md'), 'utf8');
const blocks = [...README.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
const tokensBlock = blocks.find((b) => b.includes('export MREG_TOKENS=')) ?? '';
const walkthrough = blocks.find((b) => b.startsWith('API=')) ?? '';
const tokensJson = /export MREG_TOKENS='([\s\S]*?)'/.exec(tokensBlock)?.[1] ?? '';

/** curl prints documents back to back without newlines: split the output into top-level JSON objects. */
function jsonDocuments(text: string): Record<string, unknown>[] {
  const docs: Record<string, unknown>[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"' && depth > 0) inString = true;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}' && depth > 0) {
      depth--;
      if (depth === 0) docs.push(JSON.parse(text.slice(start, i + 1)) as Record<string, unknown>);
    }
  }
  return docs;
}

describe('README walk-through', () => {
  const started = scratchRegistry('mreg-readme-', { MREG_TOKENS: tokensJson });

  it('has the token configuration and the walk-through', () => {
    expect(tokensJson).toContain('"roles"');
    expect(walkthrough).toContain('curl');
  });

  it('runs from registration to production, history, provenance and a point-in-time read', async () => {
    const port = new URL(started.registry().url).port;
    const script = `set -euo pipefail\n${walkthrough.replace('http://127.0.0.1:8080', `http://127.0.0.1:${port}`)}`;
    // Asynchronously: the registry answers from this same process.
    const { stdout: out } = await promisify(execFile)('bash', ['-c', script], { cwd: started.dir(), encoding: 'utf8' });
    const docs = jsonDocuments(out);
    // No step answered with an error.
    expect(docs.filter((d) => 'error' in d)).toEqual([]);
    const versions = docs.filter((d) => d['version'] === 1 && d['model'] === 'fraud-detector' && 'stage' in d && !('asOf' in d) && !('training' in d));
    expect(versions.at(-1)?.['stage']).toBe('production');
    expect(docs.find((d) => 'training' in d)).toMatchObject({ stage: 'production', code: { commit: '3f2a9c1e7b' }, integrity: { verified: true } });
    expect(docs.find((d) => 'asOf' in d)).toMatchObject({ stage: 'development' });
    expect(docs.find((d) => d['valid'] === true && 'streams' in d)).toBeDefined();
  });
});

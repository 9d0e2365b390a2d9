import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@mreg/platform/runtime';
import { RegistryClient, castTarget, castTokensJson } from '@mreg/testing/e2e';
import { startRegistry } from '../registry-app';

it('probe', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'probe-'));
  const reg = await startRegistry(loadConfig({ MREG_TOKENS: castTokensJson(), MREG_DATA_DIR: dataDir, PORT: '0', MREG_HOST: '127.0.0.1', MREG_LOG_LEVEL: 'error' }));
  const c = new RegistryClient(castTarget(reg.url));
  const alice = c.as('alice'); const bob = c.as('bob');
  const log = (label: string, r: { status: number; body: unknown; headers: Headers }) => console.log(label, r.status, JSON.stringify(r.body).slice(0, 1500), r.headers.get('content-type'));
  log('create', await alice.post('/api/v1/models', { name: 'm1' }));
  log('ver', await alice.post('/api/v1/models/m1/versions', {}));
  const t = await alice.post<{ id: string }>('/api/v1/models/m1/versions/1/transitions', { stage: 'staging' });
  log('appr', await bob.post(`/api/v1/transitions/${t.body.id}/approve`, {}));
  const h = await alice.get<{ items: { type: string; actor: string; stream: string; version: number | null; occurredAt: string }[] }>('/api/v1/models/m1/history');
  console.log(h.body.items.map((e) => `${e.type} ${e.actor} ${e.stream.slice(0, 20)} v=${e.version} ${e.occurredAt}`).join('\n'));
  log('proto-bad', await alice.request('POST', '/api/v1/models', { json: '{"name":"bad/../name","__proto__":{"x":1}}' }));
  log('ctor-bad', await alice.request('POST', '/api/v1/models', { json: '{"name":"bad/../name2","constructor":{"x":1},"description":"\\u0000"}' }));
  log('list', await alice.get('/api/v1/models'));
  log('ctor-ver', await alice.request('POST', '/api/v1/models/m1/versions', { json: '{"constructor":1,"metrics":{"auc":"high"}}' }));
  log('ctor-tag', await alice.request('PUT', '/api/v1/models/m1/tags/k', { json: '{"constructor":1}' }));
  log('get', await alice.get('/api/v1/models/m1'));
  await reg.app.close();
});

import { scenario } from '../scenarios';
import { uniqueName } from '../registry-client';
import type { Json } from '../registry-client';

scenario('main flow: register, upload, promote with approval, read history', (client) => {
  it('takes a model from registration to production through a second user', async () => {
    const name = uniqueName('fraud');
    const alice = client().as('alice');
    const bob = client().as('bob');

    const created = await alice.post('/api/v1/models', { name, description: 'fraud detector', tags: { team: 'risk' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name, description: 'fraud detector', tags: { team: 'risk' } });

    const version = await alice.post(`/api/v1/models/${name}/versions`, {
      runId: 'run-1',
      params: { lr: '0.01' },
      metrics: { auc: 0.93 },
      lineage: { datasets: [{ name: 'tx', uri: 's3://data/tx.parquet', digest: 'sha256:' + 'a'.repeat(64) }], codeRepository: 'https://git.example.com/risk.git', codeCommit: 'abcdef1' },
    });
    expect(version.status).toBe(201);
    expect(version.body).toMatchObject({ model: name, version: 1, stage: 'development' });

    const upload = await alice.request('PUT', `/api/v1/models/${name}/versions/1/artifacts/model/weights.bin`, {
      body: Buffer.from('weights'),
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(upload.status).toBe(201);
    expect(upload.body).toMatchObject({ path: 'model/weights.bin', size: 7 });

    const staging = await alice.post<Json>(`/api/v1/models/${name}/versions/1/transitions`, { stage: 'staging' });
    expect(staging.status).toBe(201);
    expect(staging.body['status']).toBe('pending');
    const ownApproval = await alice.post(`/api/v1/transitions/${String(staging.body['id'])}/approve`, {});
    expect(ownApproval.status).toBe(403);
    const approved = await bob.post<Json>(`/api/v1/transitions/${String(staging.body['id'])}/approve`, { comment: 'looks good' });
    expect(approved.status).toBe(200);
    expect(approved.body['status']).toBe('applied');

    const prod = await alice.post<Json>(`/api/v1/models/${name}/versions/1/transitions`, { stage: 'production' });
    expect(prod.status).toBe(201);
    const prodApproved = await bob.post<Json>(`/api/v1/transitions/${String(prod.body['id'])}/approve`, {});
    expect(prodApproved.body['status']).toBe('applied');

    const read = await alice.get<Json>(`/api/v1/models/${name}/versions/1`);
    expect(read.body['stage']).toBe('production');

    const history = await alice.get<{ items: Json[] }>(`/api/v1/models/${name}/history`);
    expect(history.status).toBe(200);
    const types = history.body.items.map((e) => e['type']);
    expect(types).toEqual(expect.arrayContaining(['ModelRegistered', 'ModelVersionCreated', 'ArtifactAdded', 'TransitionRequested', 'TransitionApprovalGiven', 'ModelVersionStageChanged']));
    expect(history.body.items.every((e) => typeof e['actor'] === 'string' && typeof e['occurredAt'] === 'string')).toBe(true);

    const provenance = await alice.get<Json>(`/api/v1/models/${name}/versions/1/provenance`);
    expect(provenance.status).toBe(200);
    expect(provenance.body).toMatchObject({ stage: 'production', code: { commit: 'abcdef1' }, integrity: { verified: true } });
  });
});

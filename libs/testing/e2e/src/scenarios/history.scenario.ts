import { scenario } from '../scenarios';
import { uniqueName } from '../registry-client';
import { API, approve, createModel, createVersion, expectError, expectStatus, historyOf, listAll, modelPath, query, requestTransition, sha256Hex, versionPath } from '../fixtures';
import type { HistoryEntry, ModelBody, Page } from '../fixtures';

interface Provenance {
  readonly model: string;
  readonly modelId: string;
  readonly version: number;
  readonly stage: string;
  readonly registeredAt: string;
  readonly registeredBy: string;
  readonly training: Record<string, unknown>;
  readonly datasets: { name: string; uri: string; digest?: string }[];
  readonly code: { repository: string | null; commit: string | null };
  readonly artifacts: { path: string; size: number; sha256: string }[];
  readonly stageHistory: {
    from: string;
    to: string;
    at: string;
    reason: string;
    transitionId: string;
    requestedBy: string | null;
    requiredApprovals: number | null;
    approvals: { by: string; at: string; comment: string }[];
  }[];
  readonly transitionRequests: { transitionId: string; fromStage: string; toStage: string; status: string; requestedBy: string; approvers: string[]; closedBy: string | null }[];
  readonly integrity: { verified: boolean; streamsChecked: number };
}

interface Integrity {
  readonly model: string;
  readonly modelId: string;
  readonly valid: boolean;
  readonly events: number;
  readonly streams: { stream: string; events: number; valid: boolean }[];
}

/** Events a user's request writes, by type → who must be recorded as the actor. */
const USER_EVENTS: Readonly<Record<string, string>> = {
  ModelNameReserved: 'alice',
  ModelRegistered: 'alice',
  ModelAccessGranted: 'alice',
  ModelDescriptionChanged: 'alice',
  ModelTagSet: 'alice',
  ModelVersionNumberAllocated: 'alice',
  ModelVersionCreated: 'alice',
  ArtifactAdded: 'alice',
  VersionTransitionOpened: 'alice',
  TransitionRequested: 'alice',
  TransitionApprovalGiven: 'bob',
  TransitionApproved: 'bob',
  AliasAssigned: 'alice',
};

/** Events about the model as a whole, not one of its versions. */
const MODEL_LEVEL = ['ModelNameReserved', 'ModelRegistered', 'ModelAccessGranted', 'ModelDescriptionChanged', 'ModelTagSet'];

scenario('history, provenance and integrity', (client) => {
  const alice = () => client().as('alice');
  const bob = () => client().as('bob');
  const name = uniqueName('audited');
  const weights = Buffer.from('the weights of a well-audited model');
  const datasets = [
    { name: 'transactions-2026-q3', uri: 's3://datasets/tx/2026-q3.parquet', digest: `sha256:${'9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'}` },
    { name: 'labels', uri: 'gs://labels/v7/', digest: `md5:${'d41d8cd98f00b204e9800998ecf8427e'}` },
  ];
  let stagingId = '';
  let productionId = '';

  beforeAll(async () => {
    await createModel(alice(), name, { description: 'first' });
    expectStatus(await alice().patch(modelPath(name), { description: 'second' }), 200);
    expectStatus(await alice().put(`${modelPath(name)}/tags/team`, { value: 'risk' }), 200);
    await createVersion(alice(), name, {
      runId: 'run-8c1f',
      source: 's3://mlruns/42/artifacts/model',
      params: { lr: '0.01' },
      metrics: { auc: 0.93 },
      lineage: { datasets, codeRepository: 'https://git.example.com/risk/fraud.git', codeCommit: '3F2A9C1E7B', pipeline: 'airflow://training/fraud-weekly' },
    });
    expectStatus(await alice().request('PUT', `${versionPath(name, 1)}/artifacts/model/weights.bin`, { body: weights }), 201);
    stagingId = (await requestTransition(alice(), name, 1, 'staging', { comment: 'to staging' })).id;
    expect((await approve(bob(), stagingId, 'staging ok')).status).toBe('applied');
    productionId = (await requestTransition(alice(), name, 1, 'production', { comment: 'to prod' })).id;
    expect((await approve(bob(), productionId, 'prod ok')).status).toBe('applied');
    expectStatus(await alice().put(`${modelPath(name)}/aliases/champion`, { version: 1 }), 200);
  });

  it('lists every event in order, each with type, actor and time', async () => {
    const history = await historyOf(alice(), name);
    const types = history.map((e) => e.type);
    // Each promotion: the request, one approval, the stage change and the request closed.
    const promotion = ['VersionTransitionOpened', 'TransitionRequested', 'TransitionApprovalGiven', 'TransitionApproved', 'ModelVersionStageChanged', 'TransitionApplied', 'VersionTransitionClosed'];
    // Registering a model records its owner in the same append (decision 32).
    const registration = ['ModelNameReserved', 'ModelRegistered', 'ModelAccessGranted', 'ModelDescriptionChanged', 'ModelTagSet', 'ModelVersionNumberAllocated', 'ModelVersionCreated', 'ArtifactAdded'];
    const inOrder = [...registration, ...promotion, ...promotion, 'AliasAssigned'];
    expect(types).toEqual(inOrder);

    for (const e of history) {
      expect(e).toEqual({
        eventId: expect.any(String),
        modelId: expect.any(String),
        type: expect.any(String),
        occurredAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
        actor: expect.any(String),
        stream: expect.any(String),
        revision: expect.any(Number),
        version: MODEL_LEVEL.includes(e.type) ? null : 1,
        correlationId: expect.any(String),
        causationId: e.causationId === null ? null : expect.any(String),
        data: expect.any(Object),
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        prevHash: expect.any(String),
      });
    }
    expect(new Set(history.map((e) => e.eventId)).size).toBe(history.length);
    const times = history.map((e) => Date.parse(e.occurredAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));

    // Per stream: revisions 0, 1, 2 ... in order, each event chained to the one before.
    const byStream = new Map<string, HistoryEntry[]>();
    for (const e of history) byStream.set(e.stream, [...(byStream.get(e.stream) ?? []), e]);
    for (const events of byStream.values()) {
      expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => i));
      events.forEach((e, i) => {
        if (i > 0) expect(e.prevHash).toBe(events[i - 1]?.hash);
      });
    }
  });

  it('records who did each thing: users for their requests, and the approval they follow for automatic steps', async () => {
    const history = await historyOf(alice(), name);
    for (const e of history) {
      expect(e.actor).not.toMatch(/^(|anonymous|unknown|undefined|null)$/i);
      const user = USER_EVENTS[e.type];
      if (user !== undefined) {
        expect({ type: e.type, actor: e.actor }).toEqual({ type: e.type, actor: user });
      } else {
        // Applied by the registry in reaction to an approval: recorded as the approver's act, caused by that approval.
        expect(['ModelVersionStageChanged', 'TransitionApplied', 'VersionTransitionClosed']).toContain(e.type);
        expect(e.causationId).not.toBeNull();
        const approval = history.find((a) => a.type === 'TransitionApproved' && a.correlationId === e.correlationId);
        expect(approval).toBeDefined();
        expect({ type: e.type, actor: e.actor }).toEqual({ type: e.type, actor: approval?.actor });
      }
    }
    expect(new Set(history.map((e) => e.actor))).toEqual(new Set(['alice', 'bob']));
  });

  it('filters history by type, actor and version, and pages it', async () => {
    const approvals = await alice().get<Page<HistoryEntry>>(`${modelPath(name)}/history${query({ filter: "type = 'TransitionApprovalGiven'" })}`);
    expectStatus(approvals, 200);
    expect(approvals.body.items.map((e) => [e.type, e.actor, e.data['comment']])).toEqual([
      ['TransitionApprovalGiven', 'bob', 'staging ok'],
      ['TransitionApprovalGiven', 'bob', 'prod ok'],
    ]);
    const several = await alice().get<Page<HistoryEntry>>(`${modelPath(name)}/history${query({ filter: "type IN ('ModelRegistered', 'ArtifactAdded')" })}`);
    expect(several.body.items.map((e) => e.type)).toEqual(['ModelRegistered', 'ArtifactAdded']);
    expect(several.body.items[1]?.data).toMatchObject({ path: 'model/weights.bin', size: weights.length, sha256: sha256Hex(weights) });
    const byBob = await alice().get<Page<HistoryEntry>>(`${modelPath(name)}/history${query({ filter: "actor = 'bob'" })}`);
    // bob's approvals, and what the registry did because of them on his behalf.
    const approvalChain = ['TransitionApprovalGiven', 'TransitionApproved', 'ModelVersionStageChanged', 'TransitionApplied', 'VersionTransitionClosed'];
    expect(byBob.body.items.map((e) => e.type)).toEqual([...approvalChain, ...approvalChain]);
    expect((await alice().get<Page<HistoryEntry>>(`${modelPath(name)}/history${query({ filter: "type = 'NoSuchEvent'" })}`)).body.items).toEqual([]);

    const full = await historyOf(alice(), name);
    const paged = await listAll<HistoryEntry>(alice(), `${modelPath(name)}/history`, { pageSize: 4 }, (e) => e.eventId);
    expect(paged.items).toEqual(full);
    const newestFirst = await alice().get<Page<HistoryEntry>>(`${modelPath(name)}/history${query({ orderBy: 'occurredAt desc', pageSize: 1000 })}`);
    expect(newestFirst.body.items.map((e) => e.eventId).sort()).toEqual(full.map((e) => e.eventId).sort());

    const versionHistory = await listAll<HistoryEntry>(alice(), `${versionPath(name, 1)}/history`, { pageSize: 1000 }, (e) => e.eventId);
    expect(versionHistory.items.length).toBeGreaterThan(0);
    expect(versionHistory.items.every((e) => e.version === 1)).toBe(true);
    expect(versionHistory.items.map((e) => e.type)).toEqual(full.filter((e) => e.version === 1).map((e) => e.type));
    expect(versionHistory.items.map((e) => e.type)).not.toContain('ModelRegistered');
    expectError(await alice().get(`${modelPath(uniqueName('missing'))}/history`), 404, 'NOT_FOUND');
    expectError(await alice().get(`${modelPath(name)}/history${query({ filter: "payload = 'x'" })}`), 400, 'INVALID_ARGUMENT');
  });

  it("lists the whole registry's history newest first, filterable by actor, type and time, and pages it", async () => {
    const model = (await alice().get<ModelBody>(modelPath(name))).body;
    const full = await historyOf(alice(), name);
    const first = full[0]?.occurredAt ?? '';
    // Everything since this model's first event, by bob: his approvals here, newest first, and maybe other models'.
    const byBob = await listAll<HistoryEntry>(alice(), `${API}/history`, { filter: `actor = 'bob' AND occurredAt >= '${first}'`, pageSize: 3 }, (e) => e.eventId);
    const mine = byBob.items.filter((e) => e.modelId === model.id);
    expect(mine.map((e) => e.eventId)).toEqual(
      full
        .filter((e) => e.actor === 'bob')
        .map((e) => e.eventId)
        .reverse(),
    );
    const registered = await alice().get<Page<HistoryEntry>>(`${API}/history${query({ filter: `type = 'ModelRegistered' AND occurredAt >= '${first}'`, orderBy: 'seq asc', pageSize: 1 })}`);
    expectStatus(registered, 200);
    expect(registered.body.items.map((e) => [e.type, e.modelId])).toEqual([['ModelRegistered', model.id]]);
    expectError(await alice().get(`${API}/history${query({ filter: "payload = 'x'" })}`), 400, 'INVALID_ARGUMENT');
  });

  it('documents provenance: data with digests, code, run, artifacts and the approval chain', async () => {
    const reply = await client()
      .as('carol')
      .get<Provenance>(`${versionPath(name, 1)}/provenance`);
    expectStatus(reply, 200);
    const p = reply.body;
    expect(p).toMatchObject({
      model: name,
      version: 1,
      stage: 'production',
      registeredBy: 'alice',
      training: { runId: 'run-8c1f', loggedModelId: null, source: 's3://mlruns/42/artifacts/model', pipeline: 'airflow://training/fraud-weekly', params: { lr: '0.01' }, metrics: { auc: 0.93 } },
      datasets,
      code: { repository: 'https://git.example.com/risk/fraud.git', commit: '3f2a9c1e7b' },
      artifacts: [{ path: 'model/weights.bin', size: weights.length, sha256: sha256Hex(weights) }],
      integrity: { verified: true },
    });
    expect(p.stageHistory).toEqual([
      expect.objectContaining({ from: 'development', to: 'staging', reason: 'requested', transitionId: stagingId, requestedBy: 'alice', requiredApprovals: 1, approvals: [expect.objectContaining({ by: 'bob', comment: 'staging ok' })] }),
      expect.objectContaining({ from: 'staging', to: 'production', reason: 'requested', transitionId: productionId, requestedBy: 'alice', requiredApprovals: 1, approvals: [expect.objectContaining({ by: 'bob', comment: 'prod ok' })] }),
    ]);
    expect(p.transitionRequests).toEqual([
      expect.objectContaining({ transitionId: stagingId, fromStage: 'development', toStage: 'staging', status: 'applied', requestedBy: 'alice', approvers: ['bob'] }),
      expect.objectContaining({ transitionId: productionId, fromStage: 'staging', toStage: 'production', status: 'applied', requestedBy: 'alice', approvers: ['bob'] }),
    ]);
    expect(p.integrity.streamsChecked).toBeGreaterThanOrEqual(4);
    expectError(await alice().get(`${versionPath(name, 2)}/provenance`), 404, 'NOT_FOUND');
    expectError(await alice().get(`${versionPath(uniqueName('missing'), 1)}/provenance`), 404, 'NOT_FOUND');
  });

  it('verifies the hash chains of every stream of the model', async () => {
    const reply = await client()
      .as('carol')
      .get<Integrity>(`${modelPath(name)}/integrity`);
    expectStatus(reply, 200);
    const history = await historyOf(alice(), name);
    expect(reply.body).toMatchObject({ model: name, valid: true });
    expect(reply.body.streams.length).toBeGreaterThanOrEqual(5);
    expect(reply.body.streams.every((s) => s.valid && s.events > 0)).toBe(true);
    // Every event of the model's own streams is checked (the name reservation stream is not the model's).
    expect(reply.body.events).toBe(history.filter((e) => e.type !== 'ModelNameReserved').length);
    expectError(await alice().get(`${modelPath(uniqueName('missing'))}/integrity`), 404, 'NOT_FOUND');
  });

  it('keeps the history of a renamed model under its new name', async () => {
    const newName = uniqueName('audited-renamed');
    const before = await historyOf(alice(), name);
    expectStatus(await alice().post(`${modelPath(name)}/rename`, { newName }), 200);
    const after = await historyOf(alice(), newName);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length).map((e) => e.type)).toEqual(expect.arrayContaining(['ModelRenamed']));
    expect((await alice().get<{ valid: boolean }>(`${modelPath(newName)}/integrity`)).body.valid).toBe(true);
    expectStatus(await alice().post(`${API}/models/${newName}/rename`, { newName: name }), 200);
  });

  it("keeps a deleted model's history, provenance and integrity reachable by its name", async () => {
    const gone = uniqueName('deleted');
    await createModel(alice(), gone);
    await createVersion(alice(), gone, { source: 's3://models/gone/1' });
    const promoted = await requestTransition(alice(), gone, 1, 'production');
    await approve(bob(), promoted.id, 'ship it');
    // Out of production (approved, as entering it was), then the version and the model are deleted.
    const out = await requestTransition(alice(), gone, 1, 'archived');
    await approve(bob(), out.id, 'retire it');
    expectStatus(await alice().delete(versionPath(gone, 1)), 204);
    expectStatus(await alice().delete(modelPath(gone)), 204);
    expectError(await alice().get(modelPath(gone)), 404, 'NOT_FOUND');

    const history = await historyOf(alice(), gone);
    expect(history.map((e) => e.type)).toEqual(expect.arrayContaining(['ModelRegistered', 'ModelVersionCreated', 'TransitionApproved', 'ModelVersionDeleted', 'ModelDeleted']));
    const integrity = await alice().get<{ valid: boolean }>(`${modelPath(gone)}/integrity`);
    expectStatus(integrity, 200);
    expect(integrity.body.valid).toBe(true);
    const provenance = await alice().get<{ approvals?: unknown[] }>(`${versionPath(gone, 1)}/provenance`);
    expectStatus(provenance, 200);
    expect(JSON.stringify(provenance.body)).toContain('ship it');
  });
});

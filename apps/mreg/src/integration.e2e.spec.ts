import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_BUS } from '@mreg/platform/event-bus';
import type { BusSubscription, EventBus, InboundMessage } from '@mreg/platform/event-bus';
import { EVENT_STORE } from '@mreg/platform/event-store';
import type { EventStore } from '@mreg/platform/event-store';
import { loadConfig } from '@mreg/platform/runtime';
import { INBOUND_TOPICS, streams } from '@mreg/shared/contracts';
import type { MessageRejectedV1 } from '@mreg/shared/contracts';
import { waitUntil } from '@mreg/testing/contracts';
import {
  API,
  RegistryClient,
  approvalCommandMessage,
  castTarget,
  castTokensJson,
  createModel,
  createVersion,
  grant,
  messageIdOf,
  modelPath,
  rejectionOf,
  requestTransition,
  trainingRunMessage,
  uniqueName,
  versionPath,
} from '@mreg/testing/e2e';
import type { ModelBody, Page, TransitionBody, VersionBody } from '@mreg/testing/e2e';
import { startRegistry } from './registry-app';
import type { StartedRegistry } from './registry-app';

// Integration over Kafka (docs/design.md §5) against the embedded registry, whose bus is in-process: training
// events and approval commands are published on the same bus the registry consumes, as raw CloudEvents with
// a token header, and the rejection topics are watched like a pipeline would watch them.

const TIMEOUT_MS = 15_000;

let registry: StartedRegistry | undefined;
let dataDir = '';
let bus: EventBus;
let store: EventStore;
let client: RegistryClient;
const subscriptions: BusSubscription[] = [];
const rejected = { training: [] as InboundMessage[], commands: [] as InboundMessage[] };

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'mreg-integration-'));
  registry = await startRegistry(loadConfig({ MREG_TOKENS: castTokensJson(), MREG_DATA_DIR: dataDir, PORT: '0', MREG_HOST: '127.0.0.1', MREG_LOG_LEVEL: 'error' }));
  bus = registry.app.get<EventBus>(EVENT_BUS);
  store = registry.app.get<EventStore>(EVENT_STORE);
  client = new RegistryClient(castTarget(registry.url));
  subscriptions.push(await bus.subscribeRaw([INBOUND_TOPICS.trainingRejections], 'e2e.watch.training-rejections', async (m) => void rejected.training.push(m)));
  subscriptions.push(await bus.subscribeRaw([INBOUND_TOPICS.governanceCommandRejections], 'e2e.watch.command-rejections', async (m) => void rejected.commands.push(m)));
});

afterAll(async () => {
  for (const s of subscriptions.splice(0)) await s.close();
  await registry?.app.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const alice = () => client.as('alice');
const bob = () => client.as('bob');

/** Polls an HTTP read until `accept` holds (the consumer and the projections run after the publish). */
async function eventually<T>(read: () => Promise<{ status: number; body: T }>, accept: (reply: { status: number; body: T }) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const reply = await read();
    if (accept(reply)) return reply.body;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last reply ${reply.status} ${JSON.stringify(reply.body).slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const versionOf = (name: string, version: number) =>
  eventually(
    () => alice().get<VersionBody>(versionPath(name, version)),
    (r) => r.status === 200,
    `${name} v${version}`,
  );

/** The rejection answering the message with `messageId`, once it arrived. */
async function rejectionFor(list: readonly InboundMessage[], messageId: string): Promise<{ message: InboundMessage; value: MessageRejectedV1 }> {
  const find = () => list.find((m) => rejectionOf(m).messageId === messageId);
  await waitUntil(() => find() !== undefined, `the rejection of ${messageId}`, TIMEOUT_MS);
  const message = find() as InboundMessage;
  return { message, value: rejectionOf(message) };
}

const rejectionsOf = (list: readonly InboundMessage[], messageId: string) => list.filter((m) => rejectionOf(m).messageId === messageId);

/** Publishes a refused message with `key` after the others and waits for its rejection: everything before it of that key is handled. */
async function barrier(list: readonly InboundMessage[], message: InboundMessage): Promise<void> {
  await bus.publishRaw([message]);
  await rejectionFor(list, messageIdOf(message));
}

/** Version numbers allocated on the model stream (straight from the log). */
async function allocatedNumbers(modelId: string): Promise<number[]> {
  const events = await store.readStream(streams.model(modelId));
  return events.filter((e) => e.type === 'ModelVersionNumberAllocated').map((e) => (e.data as { version: number }).version);
}

describe('training events (mreg.training.events.v1)', () => {
  it('registers the model and a version with its params, metrics, lineage, source and run id, as the token’s user', async () => {
    const name = uniqueName('trained');
    // What the run reports, as sent and as the version keeps it (the commit id is stored lower-case).
    const facts = {
      runId: 'run-8c1f',
      description: 'weekly retrain',
      source: 's3://mlruns/42/artifacts/model',
      params: { learning_rate: '0.01', max_depth: '6' },
      metrics: { auc: 0.93, 'f1/macro': 0.81 },
      tags: { team: 'risk' },
      signature: { inputs: [{ name: 'amount', type: 'double' }] },
    };
    const lineage = (codeCommit: string) => ({
      datasets: [{ name: 'transactions-2026-q3', uri: 's3://datasets/tx/2026-q3.parquet', digest: 'sha256:9f86d081884c7d659a2feaa0c55ad015' }],
      codeRepository: 'https://git.example.com/risk/fraud.git',
      codeCommit,
      pipeline: 'airflow://training/fraud-weekly',
    });
    const message = trainingRunMessage({ model: name, ...facts, lineage: lineage('3F2A9C1E7B') });

    await bus.publishRaw([message]);

    const version = await versionOf(name, 1);
    expect(version).toMatchObject({ model: name, version: 1, stage: 'development', ...facts, lineage: lineage('3f2a9c1e7b'), createdBy: 'alice' });
    const model = await eventually(
      () => alice().get<ModelBody>(modelPath(name)),
      (r) => r.status === 200,
      'the model',
    );
    expect(model).toMatchObject({ name, createdBy: 'alice', latestVersion: 1 });
    // The CloudEvents id is the correlation id of what the event caused.
    const history = await eventually(
      () => alice().get<{ items: { type: string; actor: string; correlationId: string }[] }>(`${modelPath(name)}/history?pageSize=100`),
      (r) => r.status === 200 && r.body.items.some((e) => e.type === 'ModelVersionCreated'),
      'the history',
    );
    const caused = history.items.filter((e) => ['ModelRegistered', 'ModelVersionNumberAllocated', 'TrainingRunLinked', 'ModelVersionCreated'].includes(e.type));
    expect(caused.map((e) => e.type).sort()).toEqual(['ModelRegistered', 'ModelVersionCreated', 'ModelVersionNumberAllocated', 'TrainingRunLinked']);
    for (const e of caused) expect(e).toMatchObject({ actor: 'alice', correlationId: messageIdOf(message) });
    expect(rejectionsOf(rejected.training, messageIdOf(message))).toEqual([]);
  });

  it('registers one version per run: the same event twice, or the run again under a new id, changes nothing', async () => {
    const name = uniqueName('twice');
    const run = { model: name, runId: 'run-1', metrics: { auc: 0.7 } };
    const first = trainingRunMessage(run);
    const again = trainingRunMessage(run, { mode: 'structured' });

    await bus.publishRaw([first, first, again]);
    await barrier(rejected.training, trainingRunMessage({ model: name }, { as: null }));

    const model = await eventually(
      () => alice().get<ModelBody>(modelPath(name)),
      (r) => r.status === 200 && r.body.latestVersion === 1,
      'the model',
    );
    expect(await allocatedNumbers(model.id)).toEqual([1]);
    const versions = await alice().get<Page<VersionBody>>(`${modelPath(name)}/versions`);
    expect(versions.body.items.map((v) => [v.version, v.runId])).toEqual([[1, 'run-1']]);
    for (const m of [first, again]) expect(rejectionsOf(rejected.training, messageIdOf(m))).toEqual([]);
  });

  it('registers two runs as versions 1 and 2, in binary and structured mode, into an existing model', async () => {
    const name = uniqueName('runs');
    await createModel(alice(), name, { description: 'made over HTTP' });
    // dave's pipeline may add versions to alice's model once she lets him write to it (decision 32).
    await grant(alice(), name, 'user:dave', 'write');

    await bus.publishRaw([trainingRunMessage({ model: name, runId: 'run-a', params: { seed: '1' } }), trainingRunMessage({ model: name, runId: 'run-b', params: { seed: '2' } }, { mode: 'structured', as: 'dave' })]);

    const [one, two] = [await versionOf(name, 1), await versionOf(name, 2)];
    expect([one.runId, one.params, one.createdBy]).toEqual(['run-a', { seed: '1' }, 'alice']);
    expect([two.runId, two.params, two.createdBy]).toEqual(['run-b', { seed: '2' }, 'dave']);
    expect((await alice().get<ModelBody>(modelPath(name))).body).toMatchObject({ description: 'made over HTTP', latestVersion: 2 });
  });

  it('refuses unauthenticated, unauthorized and invalid events with a rejection each, and creates nothing', async () => {
    const othersModel = uniqueName('others');
    await createModel(alice(), othersModel);
    const cases: { label: string; message: InboundMessage; code: MessageRejectedV1['code']; reason?: RegExp }[] = [
      { label: 'no token', message: trainingRunMessage({ model: uniqueName('anon'), runId: 'r1' }, { as: null }), code: 'UNAUTHENTICATED' },
      { label: 'unknown token', message: trainingRunMessage({ model: uniqueName('forged'), runId: 'r1' }, { as: { authorization: 'Bearer not-a-real-token-000000' } }), code: 'UNAUTHENTICATED' },
      { label: 'not a bearer token', message: trainingRunMessage({ model: uniqueName('basic'), runId: 'r1' }, { as: { authorization: 'Basic YWxpY2U6eA==' } }), code: 'UNAUTHENTICATED' },
      { label: 'a reader', message: trainingRunMessage({ model: uniqueName('reader'), runId: 'r1' }, { as: 'carol' }), code: 'PERMISSION_DENIED' },
      { label: 'an approver only', message: trainingRunMessage({ model: uniqueName('approver'), runId: 'r1' }, { as: 'bob' }), code: 'PERMISSION_DENIED' },
      { label: 'a contributor without write on the model', message: trainingRunMessage({ model: othersModel, runId: 'r1' }, { as: 'dave' }), code: 'PERMISSION_DENIED' },
      { label: 'no run id', message: trainingRunMessage({ model: uniqueName('norun') }), code: 'INVALID_ARGUMENT', reason: /runId/ },
      { label: 'an unknown field', message: trainingRunMessage({ model: uniqueName('extra'), runId: 'r1', actor: 'root' }), code: 'INVALID_ARGUMENT', reason: /actor/ },
      { label: 'a bad metric', message: trainingRunMessage({ model: uniqueName('metric'), runId: 'r1', metrics: { auc: 'high' } }), code: 'INVALID_ARGUMENT', reason: /metrics/ },
      { label: 'a bad model name', message: trainingRunMessage({ model: '../etc', runId: 'r1' }), code: 'INVALID_ARGUMENT', reason: /model/ },
      { label: 'a reserved key', message: trainingRunMessage({ model: uniqueName('proto'), runId: 'r1', params: JSON.parse('{"__proto__": "x"}') as Record<string, string> }), code: 'INVALID_ARGUMENT', reason: /__proto__/ },
      { label: 'too large', message: trainingRunMessage({ model: uniqueName('large'), runId: 'r1', description: 'x'.repeat(1024 * 1024) }), code: 'PAYLOAD_TOO_LARGE' },
      { label: 'junk JSON', message: trainingRunMessage({ model: uniqueName('junk'), runId: 'r1' }, { rawValue: '{"model": ' }), code: 'INVALID_ARGUMENT', reason: /JSON/ },
      { label: 'another type', message: trainingRunMessage({ model: uniqueName('type'), runId: 'r1' }, { type: 'io.mreg.training.TrainingRunStarted.v1' }), code: 'INVALID_ARGUMENT', reason: /type/ },
      {
        label: 'another specversion',
        message: trainingRunMessage(
          { model: uniqueName('spec'), runId: 'r1' },
          { mode: 'structured', rawValue: JSON.stringify({ specversion: '0.3', id: 'x-1', source: '/e2e', type: 'io.mreg.training.TrainingRunCompleted.v1', data: {} }) },
        ),
        code: 'INVALID_ARGUMENT',
        reason: /specversion/,
      },
    ];

    await bus.publishRaw(cases.map((c) => c.message));

    for (const c of cases) {
      const { message, value } = await rejectionFor(rejected.training, messageIdOf(c.message));
      expect({ label: c.label, code: value.code }).toEqual({ label: c.label, code: c.code });
      if (c.reason) expect(value.reason).toMatch(c.reason);
      expect(value).toMatchObject({ topic: INBOUND_TOPICS.trainingEvents, key: c.message.key, messageId: messageIdOf(c.message), receivedAt: expect.any(String) });
      expect(message.key).toBe(c.message.key);
      expect(message.headers).toMatchObject({ ce_specversion: '1.0', ce_type: 'io.mreg.training.TrainingRunRejected.v1', ce_source: '/mreg/registration', ce_subject: messageIdOf(c.message) });
      expect(message.headers['authorization']).toBeUndefined();
    }
    const noRunId = cases.find((c) => c.label === 'no run id');
    const invalid = (await rejectionFor(rejected.training, messageIdOf(noRunId?.message ?? cases[0].message))).value;
    expect(invalid.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'runId' })]));
    for (const c of cases) {
      const model = c.message.key;
      if (model && model !== '../etc' && model !== othersModel) expect((await alice().get(modelPath(model))).status).toBe(404);
    }
    expect((await alice().get<ModelBody>(modelPath(othersModel))).body.latestVersion).toBeNull();
  });

  it('refuses a message that is no CloudEvent, naming no id', async () => {
    const name = uniqueName('plain');
    const before = rejected.training.length;
    await bus.publishRaw([{ topic: INBOUND_TOPICS.trainingEvents, key: name, value: JSON.stringify({ model: name, runId: 'r1' }), headers: { authorization: 'Bearer alice-token-0123456789abcdef' } }]);

    await waitUntil(() => rejected.training.slice(before).some((m) => rejectionOf(m).key === name), 'the rejection', TIMEOUT_MS);
    const value = rejectionOf(rejected.training.slice(before).find((m) => rejectionOf(m).key === name) as InboundMessage);
    expect(value).toMatchObject({ code: 'INVALID_ARGUMENT', messageId: null, key: name });
    expect((await alice().get(modelPath(name))).status).toBe(404);
  });
});

describe('approval commands (mreg.governance.commands.v1)', () => {
  const transitionPath = (id: string) => `${API}/transitions/${id}`;
  const pendingStaging = async (): Promise<{ name: string; transition: TransitionBody }> => {
    const name = uniqueName('approve');
    await createModel(alice(), name);
    await createVersion(alice(), name);
    const transition = await requestTransition(alice(), name, 1, 'staging');
    expect(transition.status).toBe('pending');
    return { name, transition };
  };

  it('an approval by bob applies a pending transition: the version reaches the target stage', async () => {
    const { name, transition } = await pendingStaging();
    const command = approvalCommandMessage({ command: 'approve', transitionId: transition.id, comment: 'lgtm from the governance board' }, { as: 'bob' });

    await bus.publishRaw([command]);

    const applied = await eventually(
      () => bob().get<TransitionBody>(transitionPath(transition.id)),
      (r) => r.body.status === 'applied',
      'the applied transition',
    );
    expect(applied.approvals).toEqual([expect.objectContaining({ by: 'bob', comment: 'lgtm from the governance board' })]);
    expect((await versionOf(name, 1)).stage).toBe('staging');
    expect(rejectionsOf(rejected.commands, messageIdOf(command))).toEqual([]);
  });

  it('refuses an approval by the requester (PERMISSION_DENIED): the transition stays pending', async () => {
    const { name, transition } = await pendingStaging();
    const command = approvalCommandMessage({ command: 'approve', transitionId: transition.id }, { as: 'alice' });

    await bus.publishRaw([command]);

    const { message, value } = await rejectionFor(rejected.commands, messageIdOf(command));
    expect(value).toMatchObject({ code: 'PERMISSION_DENIED', reason: 'nobody approves their own transition request', topic: INBOUND_TOPICS.governanceCommands, key: transition.id });
    expect(message.headers).toMatchObject({ ce_type: 'io.mreg.governance.ApprovalCommandRejected.v1', ce_source: '/mreg/governance' });
    expect((await bob().get<TransitionBody>(transitionPath(transition.id))).body).toMatchObject({ status: 'pending', approvals: [] });
    expect((await versionOf(name, 1)).stage).toBe('development');
  });

  it('refuses commands without a valid token, from a reader, for a missing transition, or malformed', async () => {
    const { transition } = await pendingStaging();
    const cases: { message: InboundMessage; code: MessageRejectedV1['code'] }[] = [
      { message: approvalCommandMessage({ command: 'approve', transitionId: transition.id }, { as: null }), code: 'UNAUTHENTICATED' },
      { message: approvalCommandMessage({ command: 'approve', transitionId: transition.id }, { as: { authorization: 'Bearer bob-token-wrong' } }), code: 'UNAUTHENTICATED' },
      { message: approvalCommandMessage({ command: 'reject', transitionId: transition.id }, { as: 'carol' }), code: 'PERMISSION_DENIED' },
      { message: approvalCommandMessage({ command: 'approve', transitionId: '00000000-0000-4000-8000-000000000000' }, { as: 'bob' }), code: 'NOT_FOUND' },
      { message: approvalCommandMessage({ command: 'promote' as 'approve', transitionId: transition.id }, { as: 'bob' }), code: 'INVALID_ARGUMENT' },
      { message: approvalCommandMessage({ command: 'approve', transitionId: 'not-a-uuid' }, { as: 'bob' }), code: 'INVALID_ARGUMENT' },
      { message: approvalCommandMessage({ command: 'approve', transitionId: transition.id }, { as: 'bob', type: 'io.mreg.governance.ApprovalCommand.v2' }), code: 'INVALID_ARGUMENT' },
    ];

    await bus.publishRaw(cases.map((c) => c.message));

    for (const c of cases) expect((await rejectionFor(rejected.commands, messageIdOf(c.message))).value.code).toBe(c.code);
    expect((await bob().get<TransitionBody>(transitionPath(transition.id))).body).toMatchObject({ status: 'pending', approvals: [] });
  });

  it('acts on a command id once: a duplicated approval gives one approval and no second rejection', async () => {
    const name = uniqueName('dup');
    await createModel(alice(), name);
    await createVersion(alice(), name);
    const policy = await client.as('admin').patch(`${modelPath(name)}/policy`, { staging: { requiredApprovals: 2, approverRole: 'approver' } });
    expect(policy.status).toBe(200);
    const transition = await requestTransition(alice(), name, 1, 'staging');
    const command = approvalCommandMessage({ command: 'approve', transitionId: transition.id, comment: 'once' }, { as: 'bob' });
    const refused = approvalCommandMessage({ command: 'approve', transitionId: transition.id }, { as: 'alice' });

    await bus.publishRaw([command, command, refused]);
    await bus.publishRaw([command, refused]);
    await barrier(rejected.commands, approvalCommandMessage({ command: 'approve', transitionId: transition.id }, { as: null }));

    // Repeats would otherwise be refused ("bob already approved this transition") or answered twice.
    expect(rejectionsOf(rejected.commands, messageIdOf(command))).toEqual([]);
    expect(rejectionsOf(rejected.commands, messageIdOf(refused)).map((m) => rejectionOf(m).code)).toEqual(['PERMISSION_DENIED']);
    const pending = (await bob().get<TransitionBody>(transitionPath(transition.id))).body;
    expect(pending).toMatchObject({ status: 'pending', approvals: [expect.objectContaining({ by: 'bob', comment: 'once' })] });
    expect(pending.approvals).toHaveLength(1);

    // A second approver's command completes it.
    await bus.publishRaw([approvalCommandMessage({ command: 'approve', transitionId: transition.id }, { as: 'dave' })]);
    await eventually(
      () => bob().get<TransitionBody>(transitionPath(transition.id)),
      (r) => r.body.status === 'applied',
      'the applied transition',
    );
    expect((await versionOf(name, 1)).stage).toBe('staging');
  });

  it('rejects and cancels like HTTP: reject by an approver, cancel by the requester', async () => {
    const first = await pendingStaging();
    const second = await pendingStaging();

    await bus.publishRaw([
      approvalCommandMessage({ command: 'reject', transitionId: first.transition.id, comment: 'metrics too low' }, { as: 'bob' }),
      approvalCommandMessage({ command: 'cancel', transitionId: second.transition.id }, { as: 'alice', mode: 'structured' }),
    ]);

    const rejectedTransition = await eventually(
      () => bob().get<TransitionBody>(transitionPath(first.transition.id)),
      (r) => r.body.status === 'rejected',
      'the rejected transition',
    );
    expect(rejectedTransition).toMatchObject({ decidedBy: 'bob', decisionComment: 'metrics too low' });
    await eventually(
      () => bob().get<TransitionBody>(transitionPath(second.transition.id)),
      (r) => r.body.status === 'cancelled',
      'the cancelled transition',
    );
    // The version is free for its next request.
    expect((await requestTransition(alice(), first.name, 1, 'staging')).status).toBe('pending');
  });
});

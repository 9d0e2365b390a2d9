import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { Producer } from 'kafkajs';
import { EVENT_BUS } from '@mreg/platform/event-bus';
import type { BusSubscription, EventBus, InboundMessage } from '@mreg/platform/event-bus';
import { loadConfig } from '@mreg/platform/runtime';
import { INBOUND_TOPICS } from '@mreg/shared/contracts';
import { waitUntil } from '@mreg/testing/contracts';
import { RegistryClient, castTarget, castTokensJson, messageIdOf, modelPath, rejectionOf, trainingRunMessage, uniqueName, versionPath } from '@mreg/testing/e2e';
import type { ModelBody, Page, VersionBody } from '@mreg/testing/e2e';
import { announceSkip, describeWithServer } from '@mreg/testing/infra';
import { startRegistry } from './registry-app';
import type { StartedRegistry } from './registry-app';

// The training consumer end to end over a real broker: the registry runs on the Kafka bus (as a deployment
// does), and a pipeline's record — ce_* headers, JSON data, a bearer token header — is produced with plain
// kafkajs, as a non-mreg client would. A namespace keeps this run's topics and groups apart on a shared broker.

const SUITE = 'training events over Kafka';
const TIMEOUT_MS = 60_000;

describeWithServer('kafka', SUITE, (brokers) => {
  if (brokers === 'docker') {
    announceSkip(SUITE, 'a Docker engine is there but no Kafka container is wired up; set MREG_KAFKA_BROKERS');
    it.skip('needs MREG_KAFKA_BROKERS (no Kafka container is wired up for Docker)', () => undefined);
    return;
  }
  const namespace = `int-${randomBytes(4).toString('hex')}.`;
  let registry: StartedRegistry | undefined;
  let dataDir = '';
  let producer: Producer | undefined;
  let watch: BusSubscription | undefined;
  let client: RegistryClient;
  const rejections: InboundMessage[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mreg-kafka-int-'));
    registry = await startRegistry(
      loadConfig({
        MREG_TOKENS: castTokensJson(),
        MREG_DATA_DIR: dataDir,
        PORT: '0',
        MREG_HOST: '127.0.0.1',
        MREG_LOG_LEVEL: 'error',
        MREG_EVENT_BUS: 'kafka',
        MREG_KAFKA_BROKERS: brokers,
        MREG_KAFKA_NAMESPACE: namespace,
        MREG_KAFKA_PARTITIONS: '2',
      }),
    );
    client = new RegistryClient(castTarget(registry.url));
    // The rejection topic, read back through the registry's own (Kafka) bus.
    watch = await registry.app.get<EventBus>(EVENT_BUS).subscribeRaw([INBOUND_TOPICS.trainingRejections], 'int.watch.training-rejections', async (m) => void rejections.push(m));
    producer = new Kafka({ brokers: brokers.split(','), clientId: 'mreg-int-pipeline', logLevel: logLevel.ERROR }).producer({ allowAutoTopicCreation: false });
    await producer.connect();
  }, 180_000);

  afterAll(async () => {
    await producer?.disconnect();
    await watch?.close();
    await registry?.app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  /** Produces the message as a Kafka record on the namespaced training topic, with plain kafkajs. */
  const produce = async (...messages: InboundMessage[]): Promise<void> => {
    await producer?.send({
      topic: `${namespace}${INBOUND_TOPICS.trainingEvents}`,
      acks: -1,
      messages: messages.map((m) => ({ key: m.key, value: m.value, headers: { ...m.headers } })),
    });
  };

  const eventually = async <T>(read: () => Promise<{ status: number; body: T }>, accept: (r: { status: number; body: T }) => boolean, what: string): Promise<T> => {
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      const reply = await read();
      if (accept(reply)) return reply.body;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last reply ${reply.status}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  const rejectionFor = async (messageId: string) => {
    const find = () => rejections.find((m) => rejectionOf(m).messageId === messageId);
    await waitUntil(() => find() !== undefined, `the rejection of ${messageId}`, TIMEOUT_MS);
    return find() as InboundMessage;
  };

  it(
    'a TrainingRunCompleted record registers the model and its version, once per run, visible over HTTP',
    async () => {
      const name = uniqueName('kafka-trained');
      const record = trainingRunMessage({
        model: name,
        runId: 'run-kafka-1',
        params: { epochs: '12' },
        metrics: { auc: 0.91 },
        lineage: { datasets: [{ name: 'tx', uri: 's3://datasets/tx.parquet' }], codeCommit: 'abcdef1234' },
      });
      expect(record.headers).toMatchObject({ ce_specversion: '1.0', ce_type: 'io.mreg.training.TrainingRunCompleted.v1', authorization: expect.stringMatching(/^Bearer /) });

      await produce(record);

      const alice = client.as('alice');
      const version = await eventually(
        () => alice.get<VersionBody>(versionPath(name, 1)),
        (r) => r.status === 200,
        'version 1',
      );
      expect(version).toMatchObject({ runId: 'run-kafka-1', params: { epochs: '12' }, metrics: { auc: 0.91 }, createdBy: 'alice' });
      expect(version.lineage).toMatchObject({ datasets: [{ name: 'tx', uri: 's3://datasets/tx.parquet' }], codeCommit: 'abcdef1234' });

      // Redelivered, and refused records behind it on the same key (so the same partition, handled in order).
      const anonymous = trainingRunMessage({ model: name, runId: 'run-kafka-2' }, { as: null });
      await produce(record, anonymous);
      const refused = rejectionOf(await rejectionFor(messageIdOf(anonymous)));
      expect(refused).toMatchObject({ code: 'UNAUTHENTICATED', topic: INBOUND_TOPICS.trainingEvents, key: name });

      const versions = await alice.get<Page<VersionBody>>(`${modelPath(name)}/versions`);
      expect(versions.body.items.map((v) => v.runId)).toEqual(['run-kafka-1']);
      expect((await alice.get<ModelBody>(modelPath(name))).body).toMatchObject({ latestVersion: 1, createdBy: 'alice' });
      expect(rejections.filter((m) => rejectionOf(m).messageId === messageIdOf(record))).toEqual([]);
    },
    TIMEOUT_MS * 2,
  );
});

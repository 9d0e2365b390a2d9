import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Global, Module } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { ARTIFACT_STORAGE } from '@mreg/platform/artifact-storage';
import type { ArtifactStorage } from '@mreg/platform/artifact-storage';
import { FsArtifactStorage } from '@mreg/platform/artifact-storage/fs';
import { EVENT_BUS } from '@mreg/platform/event-bus';
import type { EventBus } from '@mreg/platform/event-bus';
import { InProcessEventBus } from '@mreg/platform/event-bus/in-process';
import { KafkaEventBus } from '@mreg/platform/event-bus/kafka';
import { EVENT_STORE } from '@mreg/platform/event-store';
import type { EventStore } from '@mreg/platform/event-store';
import { PostgresEventStore } from '@mreg/platform/event-store/postgres';
import { SqliteEventStore } from '@mreg/platform/event-store/sqlite';
import { READ_STORE } from '@mreg/platform/read-store';
import type { ReadStore } from '@mreg/platform/read-store';
import { SqliteReadStore } from '@mreg/platform/read-store/sqlite';
import { uniqueSuffix } from '@mreg/testing/contracts';
import { serverOrSkip } from '@mreg/testing/infra';
import { Client } from 'pg';
import { ConsoleSignIn } from '../auth/console-sign-in';
import { ErrorEnvelopeFilter } from '../http/error-envelope.filter';
import { AuthFailureLimiter } from '../http/request-limits';
import { ConsumerStartup } from '../messaging/consumer-startup';
import { HealthModule } from './health.module';
import { PROBE_TIMEOUT_MS } from './port-health.indicators';
import type { PortKey } from './port-health.indicators';

interface Ports {
  eventStore: EventStore;
  eventBus: EventBus;
  readStore: ReadStore;
  artifactStorage: ArtifactStorage;
}

function startedConsumers(): ConsumerStartup {
  const startup = new ConsumerStartup();
  startup.started();
  return startup;
}

/** The health module behind a Nest app whose ports are the given adapters, on a free port. */
async function serve(ports: Ports, startup = startedConsumers()): Promise<{ app: INestApplication; url: string }> {
  @Global()
  @Module({
    providers: [
      { provide: EVENT_STORE, useValue: ports.eventStore },
      { provide: EVENT_BUS, useValue: ports.eventBus },
      { provide: READ_STORE, useValue: ports.readStore },
      { provide: ARTIFACT_STORAGE, useValue: ports.artifactStorage },
      { provide: ConsumerStartup, useValue: startup },
      { provide: APP_FILTER, useClass: ErrorEnvelopeFilter },
      // The sign-in routes the module also serves: no single sign-on here.
      { provide: ConsoleSignIn, useValue: new ConsoleSignIn() },
      { provide: AuthFailureLimiter, useValue: new AuthFailureLimiter(10, 60_000) },
    ],
    exports: [EVENT_STORE, EVENT_BUS, READ_STORE, ARTIFACT_STORAGE, ConsumerStartup, ConsoleSignIn, AuthFailureLimiter],
  })
  class PortsModule {}

  @Module({ imports: [PortsModule, HealthModule] })
  class AppModule {}

  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}` };
}

async function get(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const reply = await fetch(url);
  return { status: reply.status, body: (await reply.json()) as Record<string, unknown> };
}

/** A port on which nothing listens (connections are refused). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const UP = { status: 'up' };

describe('health and readiness (terminus, one indicator per port)', () => {
  let dir: string;
  let ports: Ports;
  let app: INestApplication | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mreg-health-'));
    ports = {
      eventStore: new SqliteEventStore(join(dir, 'events.sqlite')),
      eventBus: new InProcessEventBus(),
      readStore: new SqliteReadStore(join(dir, 'read-models.sqlite')),
      artifactStorage: new FsArtifactStorage(join(dir, 'blobs')),
    };
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  afterAll(async () => {
    for (const port of Object.values(ports)) await port.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is ready when every embedded adapter answers, and names each port', async () => {
    const served = await serve(ports);
    app = served.app;
    expect(await get(`${served.url}/health`)).toEqual({ status: 200, body: { status: 'ok' } });
    const ready = await get(`${served.url}/ready`);
    expect(ready.status).toBe(200);
    const all = { eventStore: UP, eventBus: UP, readStore: UP, artifactStorage: UP };
    expect(ready.body).toEqual({ status: 'ok', info: all, error: {}, details: all });
  });

  const failing = (message: string) => () => Promise.reject(new Error(message));
  const broken: Readonly<Record<PortKey, (ports: Ports) => Ports>> = {
    eventStore: (p) => ({ ...p, eventStore: { readStream: failing('the log is gone') } as unknown as EventStore }),
    eventBus: (p) => ({ ...p, eventBus: { probe: failing('no broker') } as unknown as EventBus }),
    readStore: (p) => ({ ...p, readStore: { collection: () => ({ get: failing('no read models') }) } as unknown as ReadStore }),
    artifactStorage: (p) => ({ ...p, artifactStorage: { exists: failing('no bucket') } as unknown as ArtifactStorage }),
  };

  it.each(Object.keys(broken) as PortKey[])('answers 503 naming %s when its probe fails, while /health stays 200', async (key) => {
    const served = await serve(broken[key](ports));
    app = served.app;
    expect((await get(`${served.url}/health`)).status).toBe(200);
    const ready = await get(`${served.url}/ready`);
    expect(ready.status).toBe(503);
    const error = ready.body['error'] as { code: string; message: string; details: { status: string; error: Record<string, unknown>; info: Record<string, unknown> } };
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toMatch(new RegExp(`^not ready: ${key}: `));
    expect(error.details.status).toBe('error');
    expect(Object.keys(error.details.error)).toEqual([key]);
    expect(error.details.error[key]).toEqual({ status: 'down', message: expect.any(String) as unknown });
    expect(Object.keys(error.details.info)).toHaveLength(3);
  });

  it('answers /health while the consumers join their groups, and /ready names the event bus until they are in', async () => {
    const startup = new ConsumerStartup();
    const served = await serve(ports, startup);
    app = served.app;
    expect((await get(`${served.url}/health`)).status).toBe(200);
    const joining = await get(`${served.url}/ready`);
    expect(joining.status).toBe(503);
    expect((joining.body['error'] as { message: string }).message).toBe('not ready: eventBus: consumers are joining their groups');
    startup.started();
    expect((await get(`${served.url}/ready`)).status).toBe(200);
  });

  it('counts a port that does not answer within the probe timeout as down', async () => {
    const hanging = { ...ports, readStore: { collection: () => ({ get: () => new Promise(() => undefined) }) } as unknown as ReadStore };
    const served = await serve(hanging);
    app = served.app;
    const started = Date.now();
    const ready = await get(`${served.url}/ready`);
    expect(ready.status).toBe(503);
    expect((ready.body['error'] as { message: string }).message).toBe(`not ready: readStore: did not answer within ${PROBE_TIMEOUT_MS} ms`);
    expect(Date.now() - started).toBeLessThan(PROBE_TIMEOUT_MS + 1500);
  });

  it('answers 503 naming the event bus when no Kafka broker answers', async () => {
    const bus = new KafkaEventBus({ brokers: `127.0.0.1:${await closedPort()}`, clientId: 'mreg-health-test', connectionTimeoutMs: 500, logLevel: 'error', log: () => undefined });
    try {
      const served = await serve({ ...ports, eventBus: bus });
      app = served.app;
      const ready = await get(`${served.url}/ready`);
      expect(ready.status).toBe(503);
      // The probe does not retry: the refused connection is the answer, at once.
      expect((ready.body['error'] as { message: string }).message).toMatch(/^not ready: eventBus: .*ECONNREFUSED/);
    } finally {
      await bus.close();
    }
  });

  const brokers = serverOrSkip('kafka', 'readiness against a real Kafka broker');
  (brokers === undefined || brokers === 'docker' ? it.skip : it)('is ready with a real Kafka broker behind the event bus', async () => {
    const bus = new KafkaEventBus({ brokers: brokers as string, clientId: 'mreg-health-test', logLevel: 'error' });
    try {
      const served = await serve({ ...ports, eventBus: bus });
      app = served.app;
      const ready = await get(`${served.url}/ready`);
      expect(ready.status).toBe(200);
      expect((ready.body['details'] as Record<string, unknown>)['eventBus']).toEqual(UP);
    } finally {
      await bus.close();
    }
  });

  it('answers 503 naming the event store when PostgreSQL refuses connections', async () => {
    const store = new PostgresEventStore({ connectionString: `postgres://mreg:mreg@127.0.0.1:${await closedPort()}/mreg` });
    try {
      const served = await serve({ ...ports, eventStore: store });
      app = served.app;
      const ready = await get(`${served.url}/ready`);
      expect(ready.status).toBe(503);
      expect((ready.body['error'] as { message: string }).message).toMatch(/^not ready: eventStore: .*ECONNREFUSED/);
    } finally {
      await store.close();
    }
  });

  const postgres = serverOrSkip('postgres', 'readiness against a real PostgreSQL');
  (postgres === undefined || postgres === 'docker' ? it.skip : it)('is ready with a real PostgreSQL behind the event store', async () => {
    const schema = `mreg_health_${uniqueSuffix()}`;
    const store = new PostgresEventStore({ connectionString: postgres as string, schema });
    try {
      const served = await serve({ ...ports, eventStore: store });
      app = served.app;
      const ready = await get(`${served.url}/ready`);
      expect(ready.status).toBe(200);
      expect((ready.body['details'] as Record<string, unknown>)['eventStore']).toEqual(UP);
    } finally {
      await store.close();
      const client = new Client({ connectionString: postgres as string });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  });
});

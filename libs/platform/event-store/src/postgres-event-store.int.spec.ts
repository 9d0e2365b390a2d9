import { Client } from 'pg';
import type { RecordedEvent } from '@mreg/shared/contracts';
import { describeEventStoreContract, newEvent, rejectionOf, sleep, uniqueSuffix, waitUntil } from '@mreg/testing/contracts';
import { describeWithServer } from '@mreg/testing/infra';
import { WrongExpectedRevisionError } from './event-store.port';
import { computeEventHash, verifyChain } from './event-chain';
import { PostgresEventStore } from './postgres-event-store';

/** Overridable so CI can pin a version. */
const POSTGRES_IMAGE = process.env['MREG_POSTGRES_IMAGE'] ?? 'postgres:17';

interface PostgresServer {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * The PostgreSQL to test against: MREG_POSTGRES_URL (tools/infra/postgres.sh, started by the jest global setup, or
 * a CI service), or a container when the global setup found a Docker engine.
 */
async function postgresServer(url: string): Promise<PostgresServer> {
  if (url !== 'docker') return { url, stop: async () => undefined };
  // Loaded only here: hosts without Docker never need testcontainers.
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(POSTGRES_IMAGE)
    .withEnvironment({ POSTGRES_USER: 'mreg', POSTGRES_PASSWORD: 'mreg', POSTGRES_DB: 'mreg' })
    .withExposedPorts(5432)
    // The image's entry point starts the server twice (initialisation, then for real).
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  return {
    url: `postgres://mreg:mreg@${container.getHost()}:${container.getMappedPort(5432)}/mreg`,
    stop: async () => {
      await container.stop();
    },
  };
}

/** A connection of the test's own, to look at what the adapter stored and to play a second writer. */
async function rawClient(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = await rawClient(url);
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** A schema of its own per test run and suite, dropped afterwards: runs sharing one server never meet. */
const newSchema = (): string => `mreg_test_${uniqueSuffix()}`;

describeWithServer('postgres', 'PostgresEventStore', (url) => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await postgresServer(url);
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
  });

  describeEventStoreContract('PostgresEventStore', async () => {
    const schema = newSchema();
    const store = new PostgresEventStore({ connectionString: server.url, schema });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await dropSchema(server.url, schema);
      },
    };
  });

  describe('PostgresEventStore', () => {
    let schema: string;
    const stores: PostgresEventStore[] = [];
    /** Another store on the test's schema: its own pool, so its own connections, as another process would have. */
    const open = (options: { pollIntervalMs?: number; pageSize?: number; poolSize?: number } = {}): PostgresEventStore => {
      const store = new PostgresEventStore({ connectionString: server.url, schema, ...options });
      stores.push(store);
      return store;
    };

    beforeEach(() => {
      schema = newSchema();
    });

    afterEach(async () => {
      await Promise.all(stores.splice(0).map((store) => store.close()));
      await dropSchema(server.url, schema);
    });

    it('creates its tables once when several stores start on a new schema at the same time', async () => {
      const fresh = Array.from({ length: 4 }, () => open());
      await expect(Promise.all(fresh.map((store) => store.readAll()))).resolves.toEqual([[], [], [], []]);
      await fresh[0].append('model-1', [newEvent('ModelRegistered')], 'no_stream');
      expect((await fresh[3].readStream('model-1')).map((e) => e.type)).toEqual(['ModelRegistered']);
    });

    it('of two processes racing one stream with the same expectation, one wins and the other gets WrongExpectedRevisionError', async () => {
      const one = open();
      const two = open();
      for (let round = 0; round < 10; round++) {
        const streamId = `model-name-race-${round}`;
        const outcomes = await Promise.allSettled([one.append(streamId, [newEvent('ModelNameReserved', { by: 'one' })], 'no_stream'), two.append(streamId, [newEvent('ModelNameReserved', { by: 'two' })], 'no_stream')]);
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        const loser = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(loser?.reason).toBeInstanceOf(WrongExpectedRevisionError);
        expect(loser?.reason).toMatchObject({ streamId, expected: 'no_stream', actual: 0 });

        const next = await Promise.allSettled([one.append(streamId, [newEvent('A')], 0), two.append(streamId, [newEvent('B')], 0)]);
        expect(next.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        expect(await one.readStream(streamId)).toHaveLength(2);
      }
    });

    it('a live subscription sees appends made through another connection, in order, woken by a notification', async () => {
      // A poll interval far beyond the test: only LISTEN/NOTIFY can deliver in time.
      const reader = open({ pollIntervalMs: 600_000 });
      const writer = open();
      const received: RecordedEvent[] = [];
      const subscription = reader.subscribeAll(async (event) => {
        received.push(event);
      });
      try {
        await sleep(300); // the listener connects
        await writer.append('model-1', [newEvent('A'), newEvent('B')], 'no_stream');
        await writer.append('model-2', [newEvent('C')], 'no_stream');
        await writer.append('model-1', [newEvent('D')], 1);
        await waitUntil(() => received.length >= 4, 'events from the other connection', 5000);
        expect(received.map((e) => e.type)).toEqual(['A', 'B', 'C', 'D']);
        expect(received.map((e) => e.position)).toEqual([1n, 2n, 3n, 4n]);
      } finally {
        await subscription.close();
      }
    });

    it('keeps delivering after its listening connection is cut: it polls, then listens again', async () => {
      const reader = open({ pollIntervalMs: 200 });
      const writer = open();
      const received: string[] = [];
      const subscription = reader.subscribeAll(async (event) => {
        received.push(event.type);
      });
      const admin = await rawClient(server.url);
      try {
        await writer.append('model-1', [newEvent('Before')], 'no_stream');
        await waitUntil(() => received.length === 1, 'the first event');
        const cut = await admin.query<{ cut: boolean }>(`SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity WHERE application_name = 'mreg-listener' AND query ILIKE '%LISTEN "${schema}.events"%'`);
        expect(cut.rows).toEqual([{ cut: true }]);
        await writer.append('model-1', [newEvent('WhileCut')], 0);
        await waitUntil(() => received.length === 2, 'an event while the listener was cut (polling)');
        await sleep(1500); // the listener reconnects after 1 s
        const listening = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'mreg-listener' AND query ILIKE '%LISTEN "${schema}.events"%'`);
        expect(listening.rowCount).toBe(1);
        await writer.append('model-1', [newEvent('After')], 1);
        await waitUntil(() => received.length === 3, 'an event after reconnecting');
        expect(received).toEqual(['Before', 'WhileCut', 'After']);
      } finally {
        await admin.end();
        await subscription.close();
      }
    });

    it('an append waits for one in flight on another connection: a later commit never takes a lower position', async () => {
      const store = open();
      await store.append('model-0', [newEvent('First')], 'no_stream');
      const received: RecordedEvent[] = [];
      const subscription = store.subscribeAll(async (event) => {
        received.push(event);
      });
      // A second writer in the middle of an append, by the adapter's protocol: the head locked, its event written
      // at the next position, not yet committed.
      const slow = await rawClient(server.url);
      try {
        await waitUntil(() => received.length === 1, 'the first event');
        await slow.query(`BEGIN; SELECT position FROM "${schema}".log_head FOR UPDATE`);
        await slow.query(`INSERT INTO "${schema}".events (position, stream_id, revision, event_id, type, data, metadata) VALUES (2, 'model-slow', 0, 'slow-event', 'Slow', '{}', $1)`, [
          JSON.stringify(newEvent('Slow', {}, { eventId: 'slow-event' }).metadata),
        ]);
        await slow.query(`UPDATE "${schema}".log_head SET position = 2`);

        let answered = false;
        const fast = store.append('model-fast', [newEvent('Fast')], 'no_stream').finally(() => {
          answered = true;
        });
        await sleep(500);
        // The fast append cannot get a position, let alone commit one, while the slow one holds the head.
        expect(answered).toBe(false);
        expect((await store.readAll()).map((e) => e.type)).toEqual(['First']);
        expect(received.map((e) => e.type)).toEqual(['First']);

        await slow.query('COMMIT');
        await expect(fast).resolves.toEqual({ nextExpectedRevision: 0, position: 3n });
        await waitUntil(() => received.length === 3, 'both appends');
        expect(received.map((e) => [e.type, e.position])).toEqual([
          ['First', 1n],
          ['Slow', 2n],
          ['Fast', 3n],
        ]);
      } finally {
        await slow.query('ROLLBACK').catch(() => undefined);
        await slow.end();
        await subscription.close();
      }
    });

    it('under concurrent writers on several connections, a live reader sees every event once, in position order, with no gap', async () => {
      const writers = Array.from({ length: 4 }, () => open({ poolSize: 4 }));
      // Small pages and filtered reads: the reader moves its checkpoint often while appends are in flight.
      const reader = open({ pollIntervalMs: 20, pageSize: 3 });
      const all: RecordedEvent[] = [];
      const filtered: RecordedEvent[] = [];
      const errors: unknown[] = [];
      const subscriptions = [
        reader.subscribeAll(
          async (event) => {
            all.push(event);
          },
          { onError: (error) => errors.push(error) },
        ),
        reader.subscribeAll(
          async (event) => {
            filtered.push(event);
          },
          { streamPrefixes: ['model-'], onError: (error) => errors.push(error) },
        ),
      ];
      try {
        const appends = writers.flatMap((writer, w) =>
          Array.from({ length: 40 }, (_, i) => writer.append(`${i % 2 === 0 ? 'model' : 'policy'}-${w}-${i % 5}`, [newEvent('Counted', { w, i }), newEvent('Counted', { w, i, second: true })], 'any')),
        );
        const results = await Promise.all(appends);
        const total = results.length * 2;
        await waitUntil(() => all.length >= total, `${total} events`, 30_000);
        await sleep(300);

        expect(errors).toEqual([]);
        // Gapless positions 1..total, each delivered once, in order.
        expect(all.map((e) => e.position)).toEqual(Array.from({ length: total }, (_, i) => BigInt(i + 1)));
        const log = await reader.readAll();
        expect(all.map((e) => e.metadata.eventId)).toEqual(log.map((e) => e.metadata.eventId));
        const models = log.filter((e) => e.streamId.startsWith('model-'));
        await waitUntil(() => filtered.length >= models.length, 'the filtered events');
        expect(filtered.map((e) => e.metadata.eventId)).toEqual(models.map((e) => e.metadata.eventId));
        // Every append's two events are adjacent: an append is one transaction under the head's lock.
        for (const result of results) {
          const at = log.findIndex((e) => e.position === result.position);
          expect(log[at - 1].streamId).toBe(log[at].streamId);
        }
      } finally {
        await Promise.all(subscriptions.map((s) => s.close()));
      }
    });

    it('commits appends asked for together in one transaction, failing a conflicting one alone', async () => {
      const store = open();
      const outcomes = await Promise.allSettled([store.append('model-a', [newEvent('A1'), newEvent('A2')], 'no_stream'), store.append('model-a', [newEvent('B1')], 'no_stream'), store.append('model-c', [newEvent('C1')], 'no_stream')]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
      expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : undefined))).toEqual([{ nextExpectedRevision: 1, position: 2n }, undefined, { nextExpectedRevision: 0, position: 3n }]);
      expect((await store.readAll()).map((e) => e.type)).toEqual(['A1', 'A2', 'C1']);
      // Rows written by one transaction carry its id (xmin).
      const raw = await rawClient(server.url);
      try {
        const { rows } = await raw.query<{ transactions: string }>(`SELECT count(DISTINCT xmin::text) AS transactions FROM "${schema}".events`);
        expect(rows).toEqual([{ transactions: '1' }]);
      } finally {
        await raw.end();
      }
    });

    it('when a statement fails in a shared transaction, retries its appends one by one: only the faulty one fails', async () => {
      const store = open();
      // PostgreSQL text cannot hold NUL: the insert of this event fails on the server.
      const outcomes = await Promise.allSettled([store.append('model-a', [newEvent('A')], 'no_stream'), store.append('model-b', [newEvent('Bad\u0000Type')], 'no_stream'), store.append('model-c', [newEvent('C')], 'no_stream')]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: '22021' });
      expect((await store.readAll()).map((e) => [e.type, e.position])).toEqual([
        ['A', 1n],
        ['C', 2n],
      ]);
    });

    it('gives positions back when an append fails: the log stays gapless', async () => {
      const store = open();
      await store.append('model-1', [newEvent('A')], 'no_stream');
      await expect(rejectionOf(store.append('model-1', [newEvent('B'), newEvent('C')], 'no_stream'))).resolves.toBeInstanceOf(WrongExpectedRevisionError);
      await expect(store.append('model-2', [newEvent('D')], 'no_stream')).resolves.toEqual({ nextExpectedRevision: 0, position: 2n });
    });

    it('stores data and metadata as the JSON text written, which jsonb could not hold', async () => {
      const store = open();
      const streamId = 'version-m-1';
      // jsonb refuses \u0000 and lone surrogates and reorders keys; the hash chain needs what was written.
      const data = { z: 1, a: 'nul \u0000 and a lone \ud800 surrogate', nested: { b: [1.5, -0, 1e21], a: null } };
      const base = { eventId: `e-${uniqueSuffix()}`, schemaVersion: 1, occurredAt: '2025-03-03T10:00:00.000Z', actor: 'user:ada', correlationId: 'c', prevHash: '' };
      const metadata = { ...base, hash: computeEventHash({ streamId, revision: 0, type: 'Odd', data, metadata: base }) };
      await store.append(streamId, [{ type: 'Odd', data, metadata }], 'no_stream');

      const raw = await rawClient(server.url);
      try {
        const { rows } = await raw.query<{ data: string; metadata: string }>(`SELECT data, metadata FROM "${schema}".events WHERE stream_id = $1`, [streamId]);
        expect(rows).toEqual([{ data: JSON.stringify(data), metadata: JSON.stringify(metadata) }]);
      } finally {
        await raw.end();
      }
      const read = await store.readStream(streamId);
      expect(read[0].data).toStrictEqual(JSON.parse(JSON.stringify(data)));
      expect(verifyChain(read)).toEqual({ valid: true });
    });

    it('answers appends asked for before close, and then refuses new ones', async () => {
      const store = open();
      const pending = store.append('model-1', [newEvent('A')], 'no_stream');
      await store.close();
      await expect(pending).resolves.toMatchObject({ nextExpectedRevision: 0 });
      expect(() => store.append('model-1', [newEvent('B')], 0)).toThrow('closed');
      expect((await open().readStream('model-1')).map((e) => e.type)).toEqual(['A']);
    });
  });
});

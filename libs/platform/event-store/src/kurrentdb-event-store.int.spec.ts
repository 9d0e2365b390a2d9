import { describeEventStoreContract } from '@mreg/testing/contracts';
import { describeWithServer } from '@mreg/testing/infra';
import { KurrentEventStore } from './kurrentdb-event-store';

/** Overridable so CI can pin a version; Kurrent's own registry, as in its docs. */
const KURRENTDB_IMAGE = process.env['MREG_KURRENTDB_IMAGE'] ?? 'docker.kurrent.io/kurrent-latest/kurrentdb:latest';

/**
 * The KurrentDB to test against: MREG_KURRENTDB_URL (a connection string, e.g. a CI service container), or a
 * testcontainers KurrentDbContainer when the jest global setup found a Docker engine. No server binary can be
 * installed without Docker, so elsewhere describeWithServer skips the suite and prints why.
 */
async function kurrentServer(url: string): Promise<{ connectionString: string; stop(): Promise<void> }> {
  if (url !== 'docker') return { connectionString: url, stop: async () => undefined };
  // Loaded only here: hosts without Docker never need testcontainers.
  const { KurrentDbContainer } = await import('@testcontainers/kurrentdb');
  const container = await new KurrentDbContainer(KURRENTDB_IMAGE).start();
  return {
    connectionString: container.getConnectionString(),
    stop: async () => {
      await container.stop();
    },
  };
}

describeWithServer('kurrentdb', 'KurrentEventStore', (url) => {
  describeEventStoreContract(
    'KurrentEventStore',
    async () => {
      const server = await kurrentServer(url);
      const store = new KurrentEventStore({ connectionString: server.connectionString });
      return {
        store,
        cleanup: async () => {
          await store.close();
          await server.stop();
        },
      };
    },
    { leases: false },
  );
});

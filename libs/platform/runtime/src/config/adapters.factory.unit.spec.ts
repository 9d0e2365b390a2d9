import { UpcastingEventStore } from '@mreg/platform/event-store';
import { PostgresEventStore } from '@mreg/platform/event-store/postgres';
import { InProcessEventBus } from '@mreg/platform/event-bus/in-process';
import type { ReadStore } from '@mreg/platform/read-store';
import type { ArtifactStorage } from '@mreg/platform/artifact-storage';
import { adaptersFromConfig } from './adapters.factory';
import { loadConfig } from './mreg.config';

describe('the PostgreSQL event store in the configuration', () => {
  it('needs MREG_POSTGRES_URL with MREG_EVENT_STORE=postgres', () => {
    expect(() => loadConfig({ MREG_EVENT_STORE: 'postgres' })).toThrow('MREG_POSTGRES_URL: required when MREG_EVENT_STORE=postgres');
  });

  it('takes a schema that is a lower-case SQL name, mreg by default', () => {
    expect(loadConfig({ MREG_EVENT_STORE: 'postgres', MREG_POSTGRES_URL: 'postgres://u:p@127.0.0.1:5432/mreg' })).toMatchObject({ eventStore: 'postgres', postgresSchema: 'mreg' });
    expect(loadConfig({ MREG_EVENT_STORE: 'postgres', MREG_POSTGRES_URL: 'postgres://u:p@127.0.0.1:5432/mreg', MREG_POSTGRES_SCHEMA: 'registry_eu' })).toMatchObject({ postgresSchema: 'registry_eu' });
    expect(() => loadConfig({ MREG_POSTGRES_SCHEMA: 'Registry; DROP' })).toThrow('MREG_POSTGRES_SCHEMA: must be a lower-case SQL name');
  });

  it('builds a PostgresEventStore, read through the upcasters (nothing connects before the first use)', async () => {
    const config = loadConfig({ MREG_EVENT_STORE: 'postgres', MREG_POSTGRES_URL: 'postgres://u:p@127.0.0.1:1/mreg' });
    const given = { eventBus: new InProcessEventBus(), readStore: {} as ReadStore, artifactStorage: {} as ArtifactStorage };
    const { eventStore } = adaptersFromConfig(config, given);
    expect(eventStore).toBeInstanceOf(UpcastingEventStore);
    const inner = (eventStore as unknown as { inner: unknown }).inner;
    expect(inner).toBeInstanceOf(PostgresEventStore);
    await eventStore.close();
  });
});

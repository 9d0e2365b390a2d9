import { join } from 'node:path';
import { ALL_EVENT_TOPICS, ALL_INBOUND_TOPICS } from '@mreg/shared/contracts';
import { KurrentEventStore } from '@mreg/platform/event-store/kurrentdb';
import { PostgresEventStore } from '@mreg/platform/event-store/postgres';
import { SqliteEventStore } from '@mreg/platform/event-store/sqlite';
import { UpcastingEventStore } from '@mreg/platform/event-store';
import { NamespacedEventBus } from '@mreg/platform/event-bus';
import { InProcessEventBus } from '@mreg/platform/event-bus/in-process';
import { KafkaEventBus } from '@mreg/platform/event-bus/kafka';
import { MongoReadStore } from '@mreg/platform/read-store/mongo';
import { SqliteReadStore } from '@mreg/platform/read-store/sqlite';
import { FsArtifactStorage } from '@mreg/platform/artifact-storage/fs';
import { S3ArtifactStorage } from '@mreg/platform/artifact-storage/s3';
import type { EventStore } from '@mreg/platform/event-store';
import type { MregConfig } from './mreg.config';
import type { PlatformAdapters } from '../platform.module';

/**
 * The adapter behind each port, as configured: embedded by default, production ones by MREG_* settings.
 * Adapters given (tests) are used as they are; only the missing ones are built. The event store, given or
 * built, is read through the upcasters (decision 19).
 */
export function adaptersFromConfig(config: MregConfig, given: Partial<PlatformAdapters> = {}): PlatformAdapters {
  const eventStore = new UpcastingEventStore(given.eventStore ?? eventStoreFromConfig(config));
  const ns = config.kafkaNamespace ?? '';
  const consumer = { sessionTimeoutMs: config.kafkaSessionTimeoutMs, heartbeatIntervalMs: Math.min(3000, Math.floor(config.kafkaSessionTimeoutMs / 3)) };
  const kafka = () => new KafkaEventBus({ brokers: config.kafkaBrokers ?? '', clientId: 'mreg', topics: [...ALL_EVENT_TOPICS, ...ALL_INBOUND_TOPICS].map((t) => ns + t), partitions: config.kafkaPartitions, consumer });
  const eventBus = given.eventBus ?? (config.eventBus === 'kafka' ? (ns ? new NamespacedEventBus(kafka(), ns) : kafka()) : new InProcessEventBus());
  const readStore =
    given.readStore ??
    (config.readStore === 'mongo'
      ? new MongoReadStore(config.mongoUrl ?? '', config.mongoDatabase, { ...(config.queryBudgetMs ? { queryBudgetMs: config.queryBudgetMs } : {}) })
      : new SqliteReadStore(join(config.dataDir, 'read-models.sqlite'), {
          maxQueuedReads: config.maxQueuedReads,
          ...(config.queryBudgetMs ? { queryBudgetMs: config.queryBudgetMs } : {}),
          ...(config.queryWorkers !== undefined ? { queryWorkers: config.queryWorkers } : {}),
        }));
  const artifactStorage =
    given.artifactStorage ??
    (config.artifactStorage === 's3'
      ? new S3ArtifactStorage({
          bucket: config.s3Bucket ?? '',
          region: config.s3Region,
          ...(config.s3Endpoint ? { endpoint: config.s3Endpoint } : {}),
          ...(config.s3AccessKey && config.s3SecretKey ? { credentials: { accessKeyId: config.s3AccessKey, secretAccessKey: config.s3SecretKey } } : {}),
        })
      : new FsArtifactStorage(join(config.dataDir, 'artifacts')));
  return { eventStore, eventBus, readStore, artifactStorage };
}

function eventStoreFromConfig(config: MregConfig): EventStore {
  switch (config.eventStore) {
    case 'kurrentdb':
      return new KurrentEventStore({ connectionString: config.kurrentdbUrl ?? '' });
    case 'postgres':
      return new PostgresEventStore({ connectionString: config.postgresUrl ?? '', schema: config.postgresSchema });
    case 'sqlite':
      return new SqliteEventStore(config.eventStorePath ?? join(config.dataDir, 'events.sqlite'));
  }
}

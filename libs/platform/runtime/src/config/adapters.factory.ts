import { join } from 'node:path';
import { ALL_EVENT_TOPICS, ALL_INBOUND_TOPICS } from '@mreg/shared/contracts';
import { UpcastingEventStore } from '@mreg/platform/event-store';
import { NamespacedEventBus } from '@mreg/platform/event-bus';
import type { EventStore } from '@mreg/platform/event-store';
import type * as KurrentAdapter from '@mreg/platform/event-store/kurrentdb';
import type * as PostgresAdapter from '@mreg/platform/event-store/postgres';
import type * as SqliteLogAdapter from '@mreg/platform/event-store/sqlite';
import type * as InProcessBusAdapter from '@mreg/platform/event-bus/in-process';
import type * as KafkaBusAdapter from '@mreg/platform/event-bus/kafka';
import type * as MongoAdapter from '@mreg/platform/read-store/mongo';
import type * as SqliteReadsAdapter from '@mreg/platform/read-store/sqlite';
import type * as FsAdapter from '@mreg/platform/artifact-storage/fs';
import type * as S3Adapter from '@mreg/platform/artifact-storage/s3';
import type { MregConfig } from './mreg.config';
import type { PlatformAdapters } from '../platform.module';

/*
 * Each adapter module is loaded only when it is configured: their clients (mongoose, kafkajs, pg, the AWS and
 * KurrentDB SDKs) take seconds to load, and a process that loads only its own starts, and restarts, sooner.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const adapter = {
  kurrentdb: () => require('@mreg/platform/event-store/kurrentdb') as typeof KurrentAdapter,
  postgres: () => require('@mreg/platform/event-store/postgres') as typeof PostgresAdapter,
  sqliteLog: () => require('@mreg/platform/event-store/sqlite') as typeof SqliteLogAdapter,
  inProcess: () => require('@mreg/platform/event-bus/in-process') as typeof InProcessBusAdapter,
  kafka: () => require('@mreg/platform/event-bus/kafka') as typeof KafkaBusAdapter,
  mongo: () => require('@mreg/platform/read-store/mongo') as typeof MongoAdapter,
  sqliteReads: () => require('@mreg/platform/read-store/sqlite') as typeof SqliteReadsAdapter,
  fs: () => require('@mreg/platform/artifact-storage/fs') as typeof FsAdapter,
  s3: () => require('@mreg/platform/artifact-storage/s3') as typeof S3Adapter,
};
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * The adapter behind each port, as configured: embedded by default, production ones by MREG_* settings.
 * Adapters given (tests) are used as they are; only the missing ones are built. The event store, given or
 * built, is read through the upcasters (decision 19).
 */
export function adaptersFromConfig(config: MregConfig, given: Partial<PlatformAdapters> = {}): PlatformAdapters {
  const eventStore = new UpcastingEventStore(given.eventStore ?? eventStoreFromConfig(config));
  const ns = config.kafkaNamespace ?? '';
  const consumer = { sessionTimeoutMs: config.kafkaSessionTimeoutMs, heartbeatIntervalMs: Math.min(3000, Math.floor(config.kafkaSessionTimeoutMs / 3)) };
  const kafka = () => new (adapter.kafka().KafkaEventBus)({ brokers: config.kafkaBrokers ?? '', clientId: 'mreg', topics: [...ALL_EVENT_TOPICS, ...ALL_INBOUND_TOPICS].map((t) => ns + t), partitions: config.kafkaPartitions, consumer });
  const eventBus = given.eventBus ?? (config.eventBus === 'kafka' ? (ns ? new NamespacedEventBus(kafka(), ns) : kafka()) : new (adapter.inProcess().InProcessEventBus)());
  const readStore =
    given.readStore ??
    (config.readStore === 'mongo'
      ? new (adapter.mongo().MongoReadStore)(config.mongoUrl ?? '', config.mongoDatabase, { ...(config.queryBudgetMs ? { queryBudgetMs: config.queryBudgetMs } : {}) })
      : new (adapter.sqliteReads().SqliteReadStore)(join(config.dataDir, 'read-models.sqlite'), {
          maxQueuedReads: config.maxQueuedReads,
          ...(config.queryBudgetMs ? { queryBudgetMs: config.queryBudgetMs } : {}),
          ...(config.queryWorkers !== undefined ? { queryWorkers: config.queryWorkers } : {}),
        }));
  const artifactStorage =
    given.artifactStorage ??
    (config.artifactStorage === 's3'
      ? new (adapter.s3().S3ArtifactStorage)({
          bucket: config.s3Bucket ?? '',
          region: config.s3Region,
          ...(config.s3Endpoint ? { endpoint: config.s3Endpoint } : {}),
          ...(config.s3AccessKey && config.s3SecretKey ? { credentials: { accessKeyId: config.s3AccessKey, secretAccessKey: config.s3SecretKey } } : {}),
        })
      : new (adapter.fs().FsArtifactStorage)(join(config.dataDir, 'artifacts')));
  return { eventStore, eventBus, readStore, artifactStorage };
}

function eventStoreFromConfig(config: MregConfig): EventStore {
  switch (config.eventStore) {
    case 'kurrentdb':
      return new (adapter.kurrentdb().KurrentEventStore)({ connectionString: config.kurrentdbUrl ?? '' });
    case 'postgres':
      return new (adapter.postgres().PostgresEventStore)({ connectionString: config.postgresUrl ?? '', schema: config.postgresSchema });
    case 'sqlite':
      return new (adapter.sqliteLog().SqliteEventStore)(config.eventStorePath ?? join(config.dataDir, 'events.sqlite'));
  }
}

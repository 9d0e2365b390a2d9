import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { ARTIFACT_STORAGE } from '@mreg/platform/artifact-storage';
import type { ArtifactStorage } from '@mreg/platform/artifact-storage';
import { EVENT_BUS } from '@mreg/platform/event-bus';
import type { EventBus } from '@mreg/platform/event-bus';
import { EVENT_STORE } from '@mreg/platform/event-store';
import type { EventStore } from '@mreg/platform/event-store';
import { READ_STORE } from '@mreg/platform/read-store';
import type { ReadStore } from '@mreg/platform/read-store';
import { ConsumerStartup } from '../messaging/consumer-startup';

/** The ports readiness checks, by the key each has in the health result. */
export const PORT_KEYS = ['eventStore', 'eventBus', 'readStore', 'artifactStorage'] as const;
export type PortKey = (typeof PORT_KEYS)[number];

/** How long one port may take to answer its probe before it counts as down. */
export const PROBE_TIMEOUT_MS = 2000;

// A stream and a document that never exist, and a blob that is never stored: reads that cost one round trip.
const PROBE_ID = 'readiness-probe';
const PROBE_BLOB = '0'.repeat(64);

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  // A probe that loses the race may still fail later: that rejection is expected, not unhandled.
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** One health indicator per port: each probes its adapter with a cheap round trip, bounded in time. */
@Injectable()
export class PortHealthIndicators {
  private readonly probes: Readonly<Record<PortKey, () => Promise<unknown>>>;

  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(EVENT_STORE) eventStore: EventStore,
    @Inject(EVENT_BUS) eventBus: EventBus,
    @Inject(READ_STORE) readStore: ReadStore,
    @Inject(ARTIFACT_STORAGE) artifactStorage: ArtifactStorage,
    startup: ConsumerStartup,
  ) {
    this.probes = {
      eventStore: () => eventStore.readStream(PROBE_ID, { maxCount: 1 }),
      // The bus is up for this process once it answers and this process's consumers have joined it.
      eventBus: async () => {
        startup.assertStarted();
        await eventBus.probe();
      },
      readStore: () => readStore.collection('checkpoints').get(PROBE_ID),
      artifactStorage: () => artifactStorage.exists(PROBE_BLOB),
    };
  }

  /** `{[key]: {status: 'up'}}`, or `{[key]: {status: 'down', message}}` when the probe fails or times out. */
  async check(key: PortKey, timeoutMs = PROBE_TIMEOUT_MS): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    try {
      await within(this.probes[key](), timeoutMs);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}

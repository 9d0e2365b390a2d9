import { Logger } from '@nestjs/common';
import { SpanKind } from '@opentelemetry/api';
import type { OwningContext, RecordedEvent } from '@mreg/shared/contracts';
import { EVENT_TOPICS, categoriesOf, cloudEventHeaders, streamContext } from '@mreg/shared/contracts';
import type { EventStore, Subscription } from '@mreg/platform/event-store';
import type { EventBus } from '@mreg/platform/event-bus';
import type { ReadStore } from '@mreg/platform/read-store';
import { activeTraceparent, contextFromTraceparent, inSpan, messagingAttributes } from '../telemetry/trace-context';
import { telemetryMetrics } from '../telemetry/metrics';
import { LeaderLease } from './leader-lease';

interface CheckpointDoc {
  readonly position: string;
}

/** This replica no longer holds the relay's lease: it must not publish. */
class LeaseLost extends Error {}

export interface LogRelayOptions {
  /** Publish only the streams of these contexts (a service relays the streams it owns); all when undefined. */
  readonly contexts?: readonly OwningContext[];
  /** How long a relay's lease lasts without renewal (default 5000 ms): how long a dead replica's relay is missed. */
  readonly leaseTtlMs?: number;
}

/**
 * Publishes the log to the bus: a catch-up subscription from a stored checkpoint, checkpoint written after
 * publishing (at-least-once, never a dual write in the request path). A restart between publish and
 * checkpoint republishes a few events; consumers are idempotent.
 *
 * Replicas of a service elect one publisher (docs/decisions/0028): where the log offers leases, the relay runs
 * only in the replica holding the lease named after it, resumes from the shared checkpoint when it takes over, and
 * checks the lease before every publish. Without leases (KurrentDB, so far) every replica relays.
 */
export class LogRelay {
  private subscription?: Subscription;
  private readonly logger = new Logger('LogRelay');
  private lastPosition?: bigint;
  private stopped = false;
  private lease?: LeaderLease;

  constructor(
    private readonly store: EventStore,
    private readonly bus: EventBus,
    private readonly checkpoints: ReadStore,
    private readonly name = 'relay',
    private readonly options: LogRelayOptions = {},
  ) {}

  private get contexts(): readonly OwningContext[] | undefined {
    return this.options.contexts;
  }

  /** Whether this replica publishes now (it holds the lease, or the log has no leases). */
  get publishing(): boolean {
    return !this.stopped && this.subscription !== undefined && (this.lease === undefined || this.lease.held);
  }

  async start(): Promise<void> {
    this.stopped = false;
    const leases = this.store.leases;
    if (leases === undefined) return this.resume();
    this.lease = new LeaderLease(leases, this.name, {
      ttlMs: this.options.leaseTtlMs ?? 5000,
      onGained: async () => {
        this.logger.log(`${this.name}: this replica publishes (lease taken)`);
        await this.resume();
      },
      onLost: async () => {
        this.logger.log(`${this.name}: this replica stops publishing (lease lost or released)`);
        await this.pause();
      },
      onError: (error) => this.logger.warn(`${this.name}: lease not renewed: ${error instanceof Error ? error.message : String(error)}`),
    });
    await this.lease.start();
  }

  /** From the shared checkpoint: another replica may have moved it while this one was not publishing. */
  private async resume(): Promise<void> {
    await this.pause();
    const saved = await this.checkpoints.collection<CheckpointDoc>('checkpoints').get(this.name);
    this.lastPosition = saved ? BigInt(saved.position) : undefined;
    if (!this.stopped) this.subscribe();
  }

  private async pause(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close();
  }

  private subscribe(): void {
    this.subscription = this.store.subscribeAll((event) => this.relay(event), {
      ...(this.lastPosition !== undefined ? { after: this.lastPosition } : {}),
      // The categories' prefixes let the store skip other streams; `relay` decides by category.
      ...(this.contexts ? { streamPrefixes: categoriesOf(this.contexts).map((c) => `${c}-`) } : {}),
      onError: (error) => {
        if (this.stopped || error instanceof LeaseLost || (this.lease !== undefined && !this.lease.held)) return;
        this.logger.error(`relay stopped: ${error instanceof Error ? error.message : String(error)}; resubscribing`);
        setTimeout(() => {
          if (!this.stopped && (this.lease === undefined || this.lease.held)) this.subscribe();
        }, 500).unref();
      },
    });
  }

  private async relay(event: RecordedEvent): Promise<void> {
    if (this.lease !== undefined && !this.lease.held) throw new LeaseLost(`${this.name}: lease lost`);
    const context = streamContext(event.streamId);
    if (context && (!this.contexts || this.contexts.includes(context))) {
      const topic = EVENT_TOPICS[context];
      // The producer span is active while publishing: its traceparent goes in the message headers, so the
      // consumers' spans are its children (the stored traceparent, the request's, is its parent).
      const attributes = messagingAttributes('publish', topic, { 'messaging.message.id': event.metadata.eventId, 'messaging.kafka.message.key': event.streamId, 'mreg.event.type': event.type });
      await inSpan(`publish ${topic}`, SpanKind.PRODUCER, attributes, contextFromTraceparent(event.metadata.traceparent), async () => {
        const traceparent = activeTraceparent();
        await this.bus.publish([{ topic, key: event.streamId, event, headers: { ...cloudEventHeaders(event), ...(traceparent ? { traceparent } : {}) } }]);
      });
      telemetryMetrics().relayLag.record(Math.max(0, Date.now() - Date.parse(event.metadata.occurredAt)) / 1000, { 'messaging.destination.name': topic });
    }
    this.lastPosition = event.position;
    await this.checkpoints.collection<CheckpointDoc>('checkpoints').apply(this.name, '$all', Number(event.position), () => ({ position: event.position.toString() }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // Releasing the lease (after the last publish) lets another replica take over at its next round.
    if (this.lease) await this.lease.stop();
    await this.pause();
  }
}

import { Logger } from '@nestjs/common';
import { SpanKind } from '@opentelemetry/api';
import type { OwningContext, RecordedEvent } from '@mreg/shared/contracts';
import { EVENT_TOPICS, categoriesOf, cloudEventHeaders, streamContext } from '@mreg/shared/contracts';
import type { EventStore, Subscription } from '@mreg/platform/event-store';
import type { EventBus } from '@mreg/platform/event-bus';
import type { ReadStore } from '@mreg/platform/read-store';
import { activeTraceparent, contextFromTraceparent, inSpan, messagingAttributes } from '../telemetry/trace-context';
import { telemetryMetrics } from '../telemetry/metrics';

interface CheckpointDoc {
  readonly position: string;
}

/**
 * Publishes the log to the bus: a catch-up subscription from a stored checkpoint, checkpoint written after
 * publishing (at-least-once, never a dual write in the request path). A restart between publish and
 * checkpoint republishes a few events; consumers are idempotent.
 */
export class LogRelay {
  private subscription?: Subscription;
  private readonly logger = new Logger('LogRelay');
  private lastPosition?: bigint;
  private stopped = false;

  constructor(
    private readonly store: EventStore,
    private readonly bus: EventBus,
    private readonly checkpoints: ReadStore,
    private readonly name = 'relay',
    /** Publish only the streams of these contexts (a service relays the streams it owns); all when undefined. */
    private readonly contexts?: readonly OwningContext[],
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    const saved = await this.checkpoints.collection<CheckpointDoc>('checkpoints').get(this.name);
    this.lastPosition = saved ? BigInt(saved.position) : undefined;
    this.subscribe();
  }

  private subscribe(): void {
    this.subscription = this.store.subscribeAll((event) => this.relay(event), {
      ...(this.lastPosition !== undefined ? { after: this.lastPosition } : {}),
      // The categories' prefixes let the store skip other streams; `relay` decides by category.
      ...(this.contexts ? { streamPrefixes: categoriesOf(this.contexts).map((c) => `${c}-`) } : {}),
      onError: (error) => {
        if (this.stopped) return;
        this.logger.error(`relay stopped: ${error instanceof Error ? error.message : String(error)}; resubscribing`);
        setTimeout(() => {
          if (!this.stopped) this.subscribe();
        }, 500).unref();
      },
    });
  }

  private async relay(event: RecordedEvent): Promise<void> {
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
    await this.subscription?.close();
    this.subscription = undefined;
  }
}

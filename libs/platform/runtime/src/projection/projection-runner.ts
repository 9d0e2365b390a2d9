import { Logger } from '@nestjs/common';
import { SpanKind, context as otelContext, trace } from '@opentelemetry/api';
import type { EventBus, BusSubscription } from '@mreg/platform/event-bus';
import type { ReadStore } from '@mreg/platform/read-store';
import { contextFromTraceparent, tracer } from '../telemetry/trace-context';
import type { InboundConsumer, Projection, Reaction } from './projection';

interface ProgressDoc {
  readonly revision: number;
}

export const PROGRESS_COLLECTION = 'projection_progress';

/**
 * Subscribes projections and reactions to the bus, one consumer group each, and records per-stream progress;
 * inbound consumers (raw integration traffic) are subscribed after them, in their own groups.
 */
export class ProjectionRunner {
  private readonly projections: Projection[] = [];
  private readonly reactions: Reaction[] = [];
  private readonly inbound: InboundConsumer[] = [];
  private readonly subscriptions: BusSubscription[] = [];
  private readonly logger = new Logger('ProjectionRunner');
  private started = false;

  constructor(
    private readonly bus: EventBus,
    private readonly readStore: ReadStore,
  ) {}

  addProjection(projection: Projection): void {
    if (this.started) throw new Error('projections must be registered before start');
    this.projections.push(projection);
  }

  addReaction(reaction: Reaction): void {
    if (this.started) throw new Error('reactions must be registered before start');
    this.reactions.push(reaction);
  }

  addInboundConsumer(consumer: InboundConsumer): void {
    if (this.started) throw new Error('inbound consumers must be registered before start');
    this.inbound.push(consumer);
  }

  /** Projections that consume a topic: a write is visible once all of them have caught up. */
  projectionsOf(topic: string): readonly Projection[] {
    return this.projections.filter((p) => p.topics.includes(topic));
  }

  get descriptors(): readonly { name: string; topics: readonly string[] }[] {
    return this.projections.map((p) => ({ name: p.name, topics: p.topics }));
  }

  async start(): Promise<void> {
    this.started = true;
    const progress = this.readStore.collection<ProgressDoc>(PROGRESS_COLLECTION);
    for (const p of this.projections) {
      this.subscriptions.push(
        await this.bus.subscribe(p.topics, `mreg.projection.${p.name}`, async ({ event }) => {
          await this.traced(`project ${p.name} ${event.type}`, event.metadata.traceparent, () => p.handle(event));
          await progress.apply(`${p.name}:${event.streamId}`, event.streamId, event.streamRevision, () => ({ revision: event.streamRevision }));
        }),
      );
    }
    for (const r of this.reactions) {
      this.subscriptions.push(
        await this.bus.subscribe(r.topics, `mreg.reaction.${r.name}`, async ({ event }) => {
          await this.traced(`react ${r.name} ${event.type}`, event.metadata.traceparent, () => r.handle(event));
        }),
      );
    }
    for (const c of this.inbound) {
      this.subscriptions.push(
        await this.bus.subscribeRaw(c.topics, c.group, async (message) => {
          await this.traced(`consume ${message.topic}`, message.headers['traceparent'], () => c.handle(message));
        }),
      );
    }
    this.logger.log(`${this.projections.length} projections, ${this.reactions.length} reactions, ${this.inbound.length} inbound consumers subscribed`);
  }

  async progressOf(projection: string, streamId: string): Promise<number> {
    const doc = await this.readStore.collection<ProgressDoc>(PROGRESS_COLLECTION).get(`${projection}:${streamId}`);
    return doc?.revision ?? -1;
  }

  private async traced(name: string, traceparent: string | undefined, fn: () => Promise<void>): Promise<void> {
    const span = tracer.startSpan(name, { kind: SpanKind.CONSUMER }, contextFromTraceparent(traceparent));
    try {
      await otelContext.with(trace.setSpan(otelContext.active(), span), fn);
    } finally {
      span.end();
    }
  }

  async stop(): Promise<void> {
    for (const s of this.subscriptions.splice(0)) await s.close();
  }
}

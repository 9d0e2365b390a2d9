import { Logger } from '@nestjs/common';
import { SpanKind } from '@opentelemetry/api';
import type { EventBus, BusSubscription } from '@mreg/platform/event-bus';
import type { ReadStore } from '@mreg/platform/read-store';
import { contextFromTraceparent, inSpan, messagingAttributes } from '../telemetry/trace-context';
import { telemetryMetrics } from '../telemetry/metrics';
import type { InboundConsumer, Projection, Reaction } from './projection';
import { progressSignal } from './progress-signal';

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
        await this.bus.subscribe(p.topics, `mreg.projection.${p.name}`, async ({ topic, event, headers }) => {
          await this.process(topic, `mreg.projection.${p.name}`, headers['traceparent'] ?? event.metadata.traceparent, { 'mreg.projection': p.name, 'mreg.event.type': event.type }, () => p.handle(event));
          await progress.apply(`${p.name}:${event.streamId}`, event.streamId, event.streamRevision, () => ({ revision: event.streamRevision }));
          progressSignal.notify(`${p.name}:${event.streamId}`);
          telemetryMetrics().projectionLag.record(Math.max(0, Date.now() - Date.parse(event.metadata.occurredAt)) / 1000, { 'mreg.projection': p.name });
        }),
      );
    }
    for (const r of this.reactions) {
      this.subscriptions.push(
        await this.bus.subscribe(r.topics, `mreg.reaction.${r.name}`, async ({ topic, event, headers }) => {
          await this.process(topic, `mreg.reaction.${r.name}`, headers['traceparent'] ?? event.metadata.traceparent, { 'mreg.reaction': r.name, 'mreg.event.type': event.type }, () => r.handle(event));
        }),
      );
    }
    for (const c of this.inbound) {
      this.subscriptions.push(
        await this.bus.subscribeRaw(c.topics, c.group, async (message) => {
          await this.process(message.topic, c.group, message.headers['traceparent'], {}, () => c.handle(message));
        }),
      );
    }
    this.logger.log(`${this.projections.length} projections, ${this.reactions.length} reactions, ${this.inbound.length} inbound consumers subscribed`);
  }

  async progressOf(projection: string, streamId: string): Promise<number> {
    const doc = await this.readStore.collection<ProgressDoc>(PROGRESS_COLLECTION).get(`${projection}:${streamId}`);
    return doc?.revision ?? -1;
  }

  /** A consumer span per delivery (`process <topic>`), child of the producer span named by the message's traceparent. */
  private process(topic: string, group: string, traceparent: string | undefined, extra: Record<string, string>, fn: () => Promise<void>): Promise<void> {
    const attributes = messagingAttributes('process', topic, { 'messaging.consumer.group.name': group, ...extra });
    return inSpan(`process ${topic}`, SpanKind.CONSUMER, attributes, contextFromTraceparent(traceparent), fn);
  }

  async stop(): Promise<void> {
    for (const s of this.subscriptions.splice(0)) await s.close();
  }
}

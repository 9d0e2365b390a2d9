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
  private readonly preparations: (() => Promise<void>)[] = [];
  private readonly logger = new Logger('ProjectionRunner');
  private started = false;

  constructor(
    private readonly bus: EventBus,
    private readonly readStore: ReadStore,
  ) {}

  /**
   * Work the projections need done before they consume (the catalog's indexes): `start` runs it first. With Kafka
   * that is after the service listens, so a long index build keeps /ready down, not /health (decision 31).
   */
  prepare(step: () => Promise<void>): void {
    if (this.started) throw new Error('preparations must be registered before start');
    this.preparations.push(step);
  }

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
    for (const step of this.preparations) await step();
    const progress = this.readStore.collection<ProgressDoc>(PROGRESS_COLLECTION);
    // Every subscription is a consumer group of its own, so they join side by side: after a crash each waits for
    // the dead member's session to run out, and one after another they would wait in turn.
    await this.subscribeAll([
      ...this.projections.map((p) =>
        this.bus.subscribe(p.topics, `mreg.projection.${p.name}`, async ({ topic, event, headers }) => {
          await this.process(topic, `mreg.projection.${p.name}`, headers['traceparent'] ?? event.metadata.traceparent, { 'mreg.projection': p.name, 'mreg.event.type': event.type }, () => p.handle(event));
          await progress.apply(`${p.name}:${event.streamId}`, event.streamId, event.streamRevision, () => ({ revision: event.streamRevision }));
          progressSignal.notify(`${p.name}:${event.streamId}`);
          telemetryMetrics().projectionLag.record(Math.max(0, Date.now() - Date.parse(event.metadata.occurredAt)) / 1000, { 'mreg.projection': p.name });
        }),
      ),
      ...this.reactions.map((r) =>
        this.bus.subscribe(r.topics, `mreg.reaction.${r.name}`, async ({ topic, event, headers }) => {
          await this.process(topic, `mreg.reaction.${r.name}`, headers['traceparent'] ?? event.metadata.traceparent, { 'mreg.reaction': r.name, 'mreg.event.type': event.type }, () => r.handle(event));
        }),
      ),
    ]);
    await this.subscribeAll(
      this.inbound.map((c) =>
        this.bus.subscribeRaw(c.topics, c.group, async (message) => {
          await this.process(message.topic, c.group, message.headers['traceparent'], {}, () => c.handle(message));
        }),
      ),
    );
    this.logger.log(`${this.projections.length} projections, ${this.reactions.length} reactions, ${this.inbound.length} inbound consumers subscribed`);
  }

  /** Keeps every subscription that was made (stop closes them), and fails with the first that was not. */
  private async subscribeAll(subscribing: readonly Promise<BusSubscription>[]): Promise<void> {
    const results = await Promise.allSettled(subscribing);
    for (const result of results) if (result.status === 'fulfilled') this.subscriptions.push(result.value);
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
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

  /** Closes every subscription at once: each consumer leaves its group, which rebalances without waiting. */
  async stop(): Promise<void> {
    await Promise.allSettled(this.subscriptions.splice(0).map((s) => s.close()));
  }
}

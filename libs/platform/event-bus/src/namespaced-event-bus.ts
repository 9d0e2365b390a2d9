import type { BusSubscription, EventBus, MessageHandler, BusMessage, InboundMessage, InboundMessageHandler, SubscribeOptions } from './event-bus.port';

/**
 * Several registries (or test runs) on one Kafka cluster: every topic and consumer group gets a prefix, and
 * handlers still see the contract topic names.
 */
export class NamespacedEventBus implements EventBus {
  constructor(
    private readonly inner: EventBus,
    private readonly namespace: string,
  ) {}

  publish(messages: readonly BusMessage[]): Promise<void> {
    return this.inner.publish(messages.map((m) => ({ ...m, topic: this.namespace + m.topic })));
  }

  subscribe(topics: readonly string[], group: string, handler: MessageHandler, options?: SubscribeOptions): Promise<BusSubscription> {
    const strip = (topic: string) => (topic.startsWith(this.namespace) ? topic.slice(this.namespace.length) : topic);
    return this.inner.subscribe(
      topics.map((t) => this.namespace + t),
      this.namespace + group,
      (message) => handler({ ...message, topic: strip(message.topic) }),
      options,
    );
  }

  publishRaw(messages: readonly InboundMessage[]): Promise<void> {
    return this.inner.publishRaw(messages.map((m) => ({ ...m, topic: this.namespace + m.topic })));
  }

  subscribeRaw(topics: readonly string[], group: string, handler: InboundMessageHandler, options?: SubscribeOptions): Promise<BusSubscription> {
    const strip = (topic: string) => (topic.startsWith(this.namespace) ? topic.slice(this.namespace.length) : topic);
    return this.inner.subscribeRaw(
      topics.map((t) => this.namespace + t),
      this.namespace + group,
      (message) => handler({ ...message, topic: strip(message.topic) }),
      options,
    );
  }

  probe(): Promise<void> {
    return this.inner.probe();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

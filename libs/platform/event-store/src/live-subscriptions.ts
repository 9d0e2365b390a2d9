import type { Subscription } from './event-store.port';

/** A subscription an adapter runs itself: started once, it calls `onEnd` when it stops for good. */
export interface StartableSubscription extends Subscription {
  start(onEnd: () => void): void;
}

/** The live subscriptions of one store: each leaves the set when it ends; closing the store closes the rest. */
export class LiveSubscriptions<S extends StartableSubscription> implements Iterable<S> {
  private readonly live = new Set<S>();

  /** Starts `subscription` and keeps it until it ends. */
  start(subscription: S): S {
    this.live.add(subscription);
    subscription.start(() => this.live.delete(subscription));
    return subscription;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.live].map((s) => s.close()));
  }

  [Symbol.iterator](): Iterator<S> {
    return this.live.values();
  }
}

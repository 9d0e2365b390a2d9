import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Leases } from '@mreg/platform/event-store';

export interface LeaderLeaseOptions {
  /** How long a taken lease lasts without renewal, in ms: how long a replica that died keeps it. */
  readonly ttlMs: number;
  /** Called when this process became the holder, or holds it again after its margin ran out; the work (re)starts here. */
  readonly onGained: () => Promise<void> | void;
  /** Called when this process is no longer the holder (lost, expired or stopped); the work stops here. */
  readonly onLost: () => Promise<void> | void;
  /** Reports a failed attempt to take or renew the lease (the store is unreachable). */
  readonly onError?: (error: unknown) => void;
}

/**
 * One holder of a named lease among the replicas of a service (docs/decisions/0028): asks to take or renew it three
 * times per TTL; the work runs while held. The store decides expiry on its clock; here, the lease counts as held
 * only until `asked + ttl × 0.8` on this process's monotonic clock, measured from before the request was sent, so
 * this process stops before the store could hand the lease to another, whatever the two clocks say.
 */
export class LeaderLease {
  /** This process among the replicas: host, pid and a random part (a pid is reused after a restart). */
  readonly holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private heldUntil = 0;
  private leading = false;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;

  constructor(
    private readonly leases: Leases,
    readonly name: string,
    private readonly options: LeaderLeaseOptions,
  ) {}

  /** Whether this process may do the work now: it holds the lease and its safety margin has not run out. */
  get held(): boolean {
    return this.leading && performance.now() < this.heldUntil;
  }

  /** Starts asking for the lease; resolves after the first answer (so a lone replica leads once this resolves). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.round();
  }

  /** Stops asking, stops the work and releases the lease so another replica takes over without waiting for it. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    if (this.leading) {
      await this.lose();
      await this.leases.releaseLease(this.name, this.holder).catch((error: unknown) => this.options.onError?.(error));
    }
  }

  private round(): Promise<void> {
    this.running = this.ask().finally(() => {
      if (!this.stopped) this.timer = setTimeout(() => void this.round(), Math.max(50, Math.floor(this.options.ttlMs / 3))).unref();
    });
    return this.running;
  }

  private async ask(): Promise<void> {
    const asked = performance.now();
    let answer: boolean | 'no answer';
    try {
      answer = await this.leases.acquireLease(this.name, this.holder, this.options.ttlMs);
    } catch (error: unknown) {
      this.options.onError?.(error);
      answer = 'no answer';
    }
    if (this.stopped) return;
    if (answer === true) {
      // A renewal that came after the margin ran out (a slow store, a stalled process) is a new term: the work may
      // have stopped meanwhile (the relay refuses to publish without the lease), so it starts again.
      const lapsed = !this.leading || performance.now() >= this.heldUntil;
      this.heldUntil = asked + this.options.ttlMs * 0.8;
      if (lapsed) {
        this.leading = true;
        await this.options.onGained();
      }
    } else if (answer === false || performance.now() >= this.heldUntil) {
      // Another replica holds it; or the store does not answer and the margin has run out: stop before another starts.
      await this.lose();
    }
  }

  private async lose(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    this.heldUntil = 0;
    await this.options.onLost();
  }
}

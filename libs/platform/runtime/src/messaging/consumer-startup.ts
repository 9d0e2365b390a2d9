/**
 * Whether this process's consumers (projections, reactions, inbound consumers, the log relay) have joined the
 * bus. With Kafka a restarted service may wait for its group to rebalance (the dead member's session to run
 * out) before it gets partitions; it listens and answers `/health` meanwhile, and `/ready` reports the event bus
 * down until the consumers are in.
 */
export class ConsumerStartup {
  private state: { readonly kind: 'starting' | 'up' } | { readonly kind: 'failed'; readonly message: string } = { kind: 'starting' };

  started(): void {
    this.state = { kind: 'up' };
  }

  failed(message: string): void {
    this.state = { kind: 'failed', message };
  }

  /** Throws while the consumers are not in (the readiness probe's message). */
  assertStarted(): void {
    if (this.state.kind === 'starting') throw new Error('consumers are joining their groups');
    if (this.state.kind === 'failed') throw new Error(`consumers failed to start: ${this.state.message}`);
  }
}

/**
 * Wakes read-your-writes waits in this process as soon as a projection records its progress on a stream, instead
 * of at their next poll: with many writers, polling added up to a poll interval to every answer. Waits for
 * projections in other processes (distributed topology) still find out by polling.
 */
export class ProgressSignal {
  private readonly waiters = new Map<string, Set<() => void>>();

  /** A projection recorded progress on `key` (`<projection>:<streamId>`). */
  notify(key: string): void {
    const waiting = this.waiters.get(key);
    if (waiting === undefined) return;
    this.waiters.delete(key);
    for (const wake of waiting) wake();
  }

  /** Resolves at the next progress on `key`, or after `ms`, whichever comes first. */
  next(key: string, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const waiting = this.waiters.get(key) ?? new Set<() => void>();
      this.waiters.set(key, waiting);
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        waiting.delete(wake);
        if (waiting.size === 0 && this.waiters.get(key) === waiting) this.waiters.delete(key);
        resolve();
      }, ms);
      waiting.add(wake);
    });
  }
}

/** The process's signal, shared by the projection runner and the consistency waits. */
export const progressSignal = new ProgressSignal();

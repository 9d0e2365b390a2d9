import { ReadQueueFullError } from './read-store.port';

/**
 * Runs synchronous reads (node:sqlite blocks the thread) one per turn of the event loop: a read starts from a
 * setImmediate callback and the next waits for the next turn, so the loop polls sockets between any two reads.
 * A burst of expensive queries then delays `/health` by at most one query's budget, instead of by all of them
 * run back to back in one microtask chain. Beyond `maxWaiting` queued reads, new ones are refused.
 */
export class ReadTurns {
  private readonly waiting: (() => void)[] = [];
  private busy = false;

  constructor(private readonly maxWaiting: number) {}

  run<T>(read: () => T): Promise<T> {
    if (this.waiting.length >= this.maxWaiting) return Promise.reject(new ReadQueueFullError(this.waiting.length));
    return new Promise<T>((resolve, reject) => {
      this.waiting.push(() => {
        try {
          resolve(read());
        } catch (error: unknown) {
          reject(error instanceof Error ? error : new Error(String(error)));
        } finally {
          this.busy = false;
          this.next();
        }
      });
      this.next();
    });
  }

  private next(): void {
    if (this.busy) return;
    const turn = this.waiting.shift();
    if (turn === undefined) return;
    this.busy = true;
    setImmediate(turn);
  }
}

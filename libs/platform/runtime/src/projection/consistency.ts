import { AsyncLocalStorage } from 'node:async_hooks';
import { topicForStream } from '@mreg/shared/contracts';
import { ApiError } from '../http/api-error';
import type { ReadStore } from '@mreg/platform/read-store';
import type { EventStore } from '@mreg/platform/event-store';
import { PROGRESS_COLLECTION } from './projection-runner';
import { progressSignal } from './progress-signal';
import { telemetryMetrics } from '../telemetry/metrics';

/** A write as the client may ask to see it: the stream and the revision it reached. */
export interface WrittenRevision {
  readonly streamId: string;
  readonly revision: number;
}

const tracker = new AsyncLocalStorage<WrittenRevision[]>();

/** Runs `fn` while recording every append made inside it (for read-your-writes). */
export function trackWrites<T>(fn: () => T): { result: T; writes: WrittenRevision[] } {
  const writes: WrittenRevision[] = [];
  const result = tracker.run(writes, fn);
  return { result, writes };
}

export function recordWrite(write: WrittenRevision): void {
  tracker.getStore()?.push(write);
}

const TOKEN_MAX = 4096;
const STREAM_ID = /^[a-z][a-z0-9-]{0,200}$/;

/** `X-Mreg-Consistency` token: base64url JSON [[streamId, revision], ...], latest revision per stream. */
export function encodeConsistencyToken(writes: readonly WrittenRevision[]): string {
  const latest = new Map<string, number>();
  for (const w of writes) latest.set(w.streamId, Math.max(w.revision, latest.get(w.streamId) ?? -1));
  return Buffer.from(JSON.stringify([...latest.entries()])).toString('base64url');
}

export function decodeConsistencyToken(token: string): WrittenRevision[] {
  const invalid = () => new ApiError('INVALID_ARGUMENT', 'invalid X-Mreg-Consistency token');
  if (token.length > TOKEN_MAX || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length > 64) throw invalid();
  return parsed.map((entry: unknown) => {
    if (!Array.isArray(entry) || entry.length !== 2) throw invalid();
    const [streamId, revision] = entry as [unknown, unknown];
    if (typeof streamId !== 'string' || !STREAM_ID.test(streamId) || !Number.isSafeInteger(revision) || (revision as number) < 0) throw invalid();
    return { streamId, revision: revision as number };
  });
}

/** The read models a write must reach before it is visible: name and topics of each projection. */
export interface ProjectionDescriptor {
  readonly name: string;
  readonly topics: readonly string[];
}

/**
 * Waits (bounded) until every projection fed by a written stream has applied the written revision. Progress
 * lives in the read store, so a service that runs no projection itself (distributed topology) can wait too.
 */
export class Consistency {
  constructor(
    private readonly readStore: ReadStore,
    private readonly projections: () => readonly ProjectionDescriptor[],
    private readonly timeoutMs = 5000,
    private readonly log?: EventStore,
  ) {}

  /**
   * A token a client presents is only a claim: each revision it names must exist in the log, else the read would
   * wait the full timeout for a write that never happened (a forged token as a slow-down attack). Refused with 400.
   */
  async verifyPresented(writes: readonly WrittenRevision[]): Promise<void> {
    if (!this.log) return;
    for (const w of writes) {
      const [event] = await this.log.readStream(w.streamId, { fromRevision: w.revision, maxCount: 1 });
      if (event === undefined) throw new ApiError('INVALID_ARGUMENT', 'X-Mreg-Consistency names a write the log does not have');
    }
  }

  private async progressOf(projection: string, streamId: string): Promise<number> {
    const doc = await this.readStore.collection<{ revision: number }>(PROGRESS_COLLECTION).get(`${projection}:${streamId}`);
    return doc?.revision ?? -1;
  }

  /** Resolves true when caught up, false on timeout (the caller answers anyway: the write is durable). */
  async waitFor(writes: readonly WrittenRevision[]): Promise<boolean> {
    const started = performance.now();
    const caughtUp = await this.waitUntilApplied(writes);
    const instruments = telemetryMetrics();
    instruments.consistencyWait.record((performance.now() - started) / 1000, { 'mreg.caught_up': caughtUp });
    if (!caughtUp) instruments.consistencyTimeouts.add(1);
    return caughtUp;
  }

  /*
   * Every (projection, stream) a write must reach is asked at once: a version registration waits on three
   * projections of two streams, and asking them one after another made the wait six read-store round trips long
   * even when every projection had caught up. Behind a backlog, one of them is polled at a time (the others are
   * asked again once it caught up), at an interval that grows with the time waited (an eighth of it, 2 to 100 ms):
   * the answer comes within ~12% of when the read models caught up, while the waits of many writers do not
   * multiply the reads of the read store that is behind (in the distributed topology they were most of its load).
   */
  private async waitUntilApplied(writes: readonly WrittenRevision[]): Promise<boolean> {
    const deadline = Date.now() + this.timeoutMs;
    let behind: { readonly projection: string; readonly streamId: string; readonly revision: number }[] = [];
    for (const w of writes) {
      const topic = topicForStream(w.streamId);
      if (!topic) continue;
      for (const p of this.projections().filter((d) => d.topics.includes(topic))) behind.push({ projection: p.name, streamId: w.streamId, revision: w.revision });
    }
    const started = Date.now();
    for (;;) {
      const applied = await Promise.all(behind.map((b) => this.progressOf(b.projection, b.streamId)));
      behind = behind.filter((b, i) => (applied[i] ?? -1) < b.revision);
      const [first, ...rest] = behind;
      if (first === undefined) return true;
      do {
        if (Date.now() > deadline) return false;
        // Woken as soon as a projection in this process records progress on the stream, else polled.
        await progressSignal.next(`${first.projection}:${first.streamId}`, Math.min(100, Math.max(2, (Date.now() - started) / 8)));
      } while ((await this.progressOf(first.projection, first.streamId)) < first.revision);
      behind = rest;
    }
  }
}

/** The appends made so far in the current request (empty outside one). */
export function currentWrites(): WrittenRevision[] {
  return [...(tracker.getStore() ?? [])];
}

import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { API, modelPath, sha256Hex, versionPath } from './fixtures';
import type { ModelBody, TransitionBody, VersionBody } from './fixtures';
import { RegistryClient, uniqueName } from './registry-client';
import type { Reply, Target } from './registry-client';

// A bounded write load for fault tests: several clients register models and versions, upload artifacts and move
// versions to staging through the gateway, retrying what got no answer (or a 5xx) the way a careful client
// would. Only writes answered 2xx count as acknowledged; a write without an answer may or may not have happened.

export interface AckedVersion {
  readonly model: string;
  readonly version: number;
}
export interface AckedArtifact extends AckedVersion {
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
}
export interface AckedTransition extends AckedVersion {
  readonly id: string;
}

/** What the registry acknowledged (2xx), and what else the clients saw. */
export interface LoadOutcome {
  readonly models: string[];
  readonly versions: AckedVersion[];
  readonly artifacts: AckedArtifact[];
  /** Transitions to staging whose approval was acknowledged: each must end applied. */
  readonly transitions: AckedTransition[];
  /** Non-2xx final answers by operation and status, e.g. `createVersion 404` (after retries). */
  readonly refused: Record<string, number>;
  /** Attempts retried (no answer or 5xx), by operation and status (`network` when there was no answer). */
  readonly retried: Record<string, number>;
  /** Operations that gave up after the retry deadline (never acknowledged). */
  gaveUp: number;
  /** Time per operation (all attempts), by operation: count, mean and max in ms. */
  readonly timings: Record<string, { count: number; meanMs: number; maxMs: number }>;
}

export interface LoadOptions {
  readonly clients?: number;
  /** Operations per client (each one write, retried until answered). */
  readonly operationsPerClient?: number;
  /** How long one operation is retried before the client gives up on it (ms, default 120 000). */
  readonly retryForMs?: number;
  /** Called after every finished operation with the number finished so far (all clients). */
  readonly onOperation?: (finished: number) => void;
}

const bump = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/** Runs the load to completion; the faults are injected from outside while it runs. */
export async function runWriteLoad(target: Target, options: LoadOptions = {}): Promise<LoadOutcome> {
  const outcome: LoadOutcome = { models: [], versions: [], artifacts: [], transitions: [], refused: {}, retried: {}, gaveUp: 0, timings: {} };
  const clients = options.clients ?? 8;
  const operations = options.operationsPerClient ?? 16;
  const retryForMs = options.retryForMs ?? 120_000;
  let finished = 0;

  /** One write, retried while there is no answer or a 5xx; undefined when it never got a final answer. */
  const attempt = async <T>(operation: string, send: () => Promise<Reply<T>>): Promise<Reply<T> | undefined> => {
    const started = Date.now();
    const deadline = started + retryForMs;
    const timed = () => {
      const elapsed = Date.now() - started;
      const t = outcome.timings[operation] ?? { count: 0, meanMs: 0, maxMs: 0 };
      outcome.timings[operation] = { count: t.count + 1, meanMs: Math.round((t.meanMs * t.count + elapsed) / (t.count + 1)), maxMs: Math.max(t.maxMs, elapsed) };
    };
    let delay = 100;
    for (;;) {
      try {
        const reply = await send();
        if (reply.status < 500) {
          if (reply.status >= 300) bump(outcome.refused, `${operation} ${reply.status}`);
          timed();
          return reply;
        }
        bump(outcome.retried, `${operation} ${reply.status}`);
      } catch {
        bump(outcome.retried, `${operation} network`);
      }
      if (Date.now() > deadline) {
        timed();
        outcome.gaveUp += 1;
        return undefined;
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 1000);
    }
  };

  const client = async (index: number) => {
    const alice = new RegistryClient(target).as('alice');
    const bob = new RegistryClient(target).as('bob');
    let model: string | undefined;
    let version: number | undefined;
    let artifactsOfVersion = 0;
    const register = async () => {
      const name = uniqueName(`fault-c${index}`);
      const reply = await attempt('registerModel', () => alice.post<ModelBody>(`${API}/models`, { name, tags: { client: String(index) } }));
      // 201, or 202 when the write is durable but the read models lag (the audit-service may be down): both acknowledge.
      if (reply && (reply.status === 201 || reply.status === 202)) {
        outcome.models.push(name);
        model = name;
        version = undefined;
      }
    };
    await register();
    for (let i = 0; i < operations; i++) {
      const step = i % 6;
      if (!model) {
        await register();
      } else if (step === 0 || step === 3) {
        const m = model;
        const reply = await attempt('createVersion', () => alice.post<VersionBody>(`${modelPath(m)}/versions`, { metrics: { step: i }, params: { client: String(index) } }));
        if (reply?.status === 201 || reply?.status === 202) {
          outcome.versions.push({ model: m, version: reply.body.version });
          version = reply.body.version;
          artifactsOfVersion = 0;
        }
      } else if ((step === 1 || step === 4) && version !== undefined) {
        const m = model;
        const v = version;
        const bytes = randomBytes(512 + Math.floor(Math.random() * 3584));
        const path = `weights/part-${artifactsOfVersion}.bin`;
        const reply = await attempt('uploadArtifact', () => alice.request(`PUT`, `${versionPath(m, v)}/artifacts/${path}`, { body: bytes, headers: { 'content-type': 'application/octet-stream' } }));
        if (reply?.status === 201) outcome.artifacts.push({ model: m, version: v, path, sha256: sha256Hex(bytes), size: bytes.length });
        artifactsOfVersion += 1;
      } else if (step === 2 && version !== undefined) {
        const m = model;
        const v = version;
        const requested = await attempt('requestTransition', () => alice.post<TransitionBody>(`${versionPath(m, v)}/transitions`, { stage: 'staging', comment: `client ${index}` }));
        if (requested?.status === 201 || requested?.status === 202) {
          const id = requested.body.id;
          const approved = await attempt('approveTransition', () => bob.post<TransitionBody>(`${API}/transitions/${id}/approve`, { comment: 'ok' }));
          if (approved?.status === 200 || approved?.status === 202) outcome.transitions.push({ model: m, version: v, id });
        }
        // Staging seals the version: the next artifacts go to a new version.
        version = undefined;
      } else if (step === 5) {
        await register();
      }
      finished += 1;
      options.onOperation?.(finished);
    }
  };

  await Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
  return outcome;
}

import { createHash } from 'node:crypto';
import type {
  AliasAssigned,
  AliasRemoved,
  ApprovalPolicySet,
  ArtifactAdded,
  Event,
  EventMetadata,
  ModelDeleted,
  ModelDescriptionChanged,
  ModelNameReleased,
  ModelNameReserved,
  ModelRegistered,
  ModelRenamed,
  ModelRestored,
  ModelTagRemoved,
  ModelTagSet,
  ModelVersionCreated,
  ModelVersionDeleted,
  ModelVersionDescriptionChanged,
  ModelVersionNumberAllocated,
  ModelVersionStageChanged,
  ModelVersionTagSet,
  Stage,
  TrainingRunLinked,
  TransitionApplied,
  TransitionApprovalGiven,
  TransitionApproved,
  TransitionRejected,
  TransitionRequested,
  VersionTransitionClosed,
  VersionTransitionOpened,
} from '@mreg/shared/contracts';
import { DEFAULT_APPROVAL_POLICY, modelNameKey, streams, trainingRunKey } from '@mreg/shared/contracts';
import { computeEventHash } from '@mreg/platform/event-store';
import type { EventStore } from '@mreg/platform/event-store';

export interface RegistryHistoryOptions {
  /** Models to register (default 4). */
  readonly models?: number;
  /** Versions per model (default 3, at least 2). */
  readonly versionsPerModel?: number;
  /** Seed of the interleaving and the data (default 1): the same seed writes the same history. */
  readonly seed?: number;
  /** First event time (default 2025-01-01T00:00:00.000Z); every event is one millisecond later. */
  readonly start?: string;
  /** Prefix of the generated ids, so several histories can share one log (default `h<seed>`). */
  readonly idPrefix?: string;
}

export interface RegistryHistory {
  /** Events appended. */
  readonly events: number;
  readonly modelIds: readonly string[];
  /** Streams written, in order of first write. */
  readonly streams: readonly string[];
}

/** Mulberry32: a tiny deterministic PRNG (tests want reproducible "random" histories, delivery orders). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ACTORS = ['alice', 'bob', 'dave', 'root'] as const;

/**
 * Writes a small but complete registry history through the EventStore port — what the command handlers would
 * have appended: name reservations, registrations, version numbers and versions, artifacts, tags, aliases (and
 * alias moves), transitions approved and applied or rejected, policies, training-run links, a rename, a version
 * deletion and a model deletion. Several models' steps interleave in the log (seeded), as concurrent clients'
 * would, while each model's own steps stay causal. Hash chains are computed like the repository does.
 */
export async function generateRegistryHistory(store: EventStore, options: RegistryHistoryOptions = {}): Promise<RegistryHistory> {
  const models = Math.max(1, options.models ?? 4);
  const versions = Math.max(2, options.versionsPerModel ?? 3);
  const seed = options.seed ?? 1;
  const random = prng(seed);
  const prefix = options.idPrefix ?? `h${seed}`;
  let clock = Date.parse(options.start ?? '2025-01-01T00:00:00.000Z');
  let counter = 0;
  const heads = new Map<string, { revision: number; hash: string }>();
  const written: string[] = [];
  let appended = 0;
  const id = (kind: string) => `${prefix}-${kind}-${(++counter).toString().padStart(6, '0')}`;

  const append = async (streamId: string, events: readonly Event[], actor: string, correlationId: string): Promise<void> => {
    const head = heads.get(streamId) ?? { revision: -1, hash: '' };
    let { revision, hash: prevHash } = head;
    const occurredAt = new Date(++clock).toISOString();
    const batch = events.map((e) => {
      revision += 1;
      const base: Omit<EventMetadata, 'hash'> = { eventId: id('event'), schemaVersion: 1, occurredAt, actor, correlationId, prevHash };
      const hash = computeEventHash({ streamId, revision, type: e.type, data: e.data, metadata: base });
      prevHash = hash;
      return { type: e.type, data: e.data, metadata: { ...base, hash } };
    });
    await store.append(streamId, batch, head.revision < 0 ? 'no_stream' : head.revision);
    if (!heads.has(streamId)) written.push(streamId);
    heads.set(streamId, { revision, hash: prevHash });
    appended += batch.length;
  };

  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

  /** One model's life as a list of steps; each step is one command (one or more appends). */
  const script = (index: number): (() => Promise<void>)[] => {
    const modelId = `${prefix}-model-${index}`;
    let name = `${prefix}-model-${index}`;
    const steps: (() => Promise<void>)[] = [];
    const actor = () => pick(ACTORS);
    const correlation = () => id('corr');

    steps.push(async () => {
      const who = actor();
      const c = correlation();
      await append(streams.modelName(modelNameKey(name)), [{ type: 'ModelNameReserved', data: { name, modelId } } satisfies ModelNameReserved], who, c);
      await append(streams.model(modelId), [{ type: 'ModelRegistered', data: { modelId, name, description: `model ${index}`, tags: { team: pick(['risk', 'growth']) } } } satisfies ModelRegistered], who, c);
    });
    if (index % 2 === 0) {
      steps.push(() =>
        append(
          streams.policy(modelId),
          [{ type: 'ApprovalPolicySet', data: { modelId, policy: { ...DEFAULT_APPROVAL_POLICY, staging: { requiredApprovals: 1, approverRole: 'approver' } } } } satisfies ApprovalPolicySet],
          'root',
          correlation(),
        ),
      );
    }
    for (let v = 1; v <= versions; v++) {
      steps.push(async () => {
        const who = actor();
        const c = correlation();
        await append(streams.model(modelId), [{ type: 'ModelVersionNumberAllocated', data: { modelId, version: v } } satisfies ModelVersionNumberAllocated], who, c);
        const runId = `run-${index}-${v}`;
        await append(
          streams.version(modelId, v),
          [
            {
              type: 'ModelVersionCreated',
              data: {
                modelId,
                modelName: name,
                version: v,
                description: `v${v}`,
                runId,
                params: { lr: String(random().toFixed(3)) },
                metrics: { auc: Math.round(random() * 1000) / 1000 },
                tags: { seed: String(seed) },
                lineage: { datasets: [{ name: 'train', uri: `s3://data/${index}/${v}` }], codeCommit: 'a'.repeat(40) },
              },
            } satisfies ModelVersionCreated,
          ],
          who,
          c,
        );
        await append(streams.trainingRun(modelId, trainingRunKey(runId)), [{ type: 'TrainingRunLinked', data: { modelId, runId, version: v } } satisfies TrainingRunLinked], who, c);
      });
      steps.push(async () => {
        const files = 1 + Math.floor(random() * 2);
        for (let f = 0; f < files; f++) {
          const bytes = `${modelId}/${v}/${f}`;
          const artifact: ArtifactAdded = {
            type: 'ArtifactAdded',
            data: { modelId, version: v, path: `weights/${f}.bin`, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), contentType: 'application/octet-stream' },
          };
          await append(streams.artifacts(modelId, v), [artifact], actor(), correlation());
        }
      });
      steps.push(() => append(streams.version(modelId, v), [{ type: 'ModelVersionTagSet', data: { modelId, version: v, key: 'stage-note', value: `n${v}` } } satisfies ModelVersionTagSet], actor(), correlation()));
    }
    steps.push(() => append(streams.model(modelId), [{ type: 'AliasAssigned', data: { modelId, alias: 'champion', version: 1 } } satisfies AliasAssigned], actor(), correlation()));
    steps.push(() => append(streams.model(modelId), [{ type: 'AliasAssigned', data: { modelId, alias: 'champion', version: 2, previousVersion: 1 } } satisfies AliasAssigned], actor(), correlation()));
    steps.push(() => append(streams.model(modelId), [{ type: 'ModelTagSet', data: { modelId, key: 'owner', value: actor() } } satisfies ModelTagSet], actor(), correlation()));
    steps.push(() => append(streams.model(modelId), [{ type: 'ModelDescriptionChanged', data: { modelId, description: `model ${index}, described` } } satisfies ModelDescriptionChanged], actor(), correlation()));

    // An approved transition (development → staging) on version 2, applied by registration.
    steps.push(async () => {
      const transitionId = id('transition');
      const c = correlation();
      const requested = (from: Stage, to: Stage): TransitionRequested => ({
        type: 'TransitionRequested',
        data: { transitionId, modelId, modelName: name, version: 2, fromStage: from, toStage: to, requestedBy: 'alice', comment: 'ship it', archiveExisting: false, rule: { requiredApprovals: 1, approverRole: 'approver' } },
      });
      await append(streams.versionTransitions(modelId, 2), [{ type: 'VersionTransitionOpened', data: { modelId, version: 2, transitionId, toStage: 'staging' } } satisfies VersionTransitionOpened], 'alice', c);
      await append(streams.transition(transitionId), [requested('development', 'staging')], 'alice', c);
      await append(
        streams.transition(transitionId),
        [
          { type: 'TransitionApprovalGiven', data: { transitionId, modelId, version: 2, by: 'bob', comment: 'lgtm' } } satisfies TransitionApprovalGiven,
          { type: 'TransitionApproved', data: { transitionId, modelId, version: 2, fromStage: 'development', toStage: 'staging', archiveExisting: false, approvers: ['bob'] } } satisfies TransitionApproved,
        ],
        'bob',
        c,
      );
      await append(streams.version(modelId, 2), [{ type: 'ModelVersionStageChanged', data: { modelId, version: 2, from: 'development', to: 'staging', transitionId, reason: 'requested' } } satisfies ModelVersionStageChanged], 'bob', c);
      await append(streams.transition(transitionId), [{ type: 'TransitionApplied', data: { transitionId, modelId, version: 2, toStage: 'staging' } } satisfies TransitionApplied], 'bob', c);
      await append(streams.versionTransitions(modelId, 2), [{ type: 'VersionTransitionClosed', data: { modelId, version: 2, transitionId } } satisfies VersionTransitionClosed], 'bob', c);
    });
    // A rejected one on version 1.
    steps.push(async () => {
      const transitionId = id('transition');
      const c = correlation();
      await append(streams.versionTransitions(modelId, 1), [{ type: 'VersionTransitionOpened', data: { modelId, version: 1, transitionId, toStage: 'production' } } satisfies VersionTransitionOpened], 'dave', c);
      await append(
        streams.transition(transitionId),
        [
          {
            type: 'TransitionRequested',
            data: { transitionId, modelId, modelName: name, version: 1, fromStage: 'development', toStage: 'production', requestedBy: 'dave', comment: '', archiveExisting: true, rule: { requiredApprovals: 1, approverRole: 'approver' } },
          } satisfies TransitionRequested,
        ],
        'dave',
        c,
      );
      await append(streams.transition(transitionId), [{ type: 'TransitionRejected', data: { transitionId, modelId, version: 1, by: 'bob', comment: 'not yet' } } satisfies TransitionRejected], 'bob', c);
      await append(streams.versionTransitions(modelId, 1), [{ type: 'VersionTransitionClosed', data: { modelId, version: 1, transitionId } } satisfies VersionTransitionClosed], 'bob', c);
    });
    if (index % 3 === 1) {
      // A rename: new reservation, the rename, the old name released.
      steps.push(async () => {
        const to = `${name}-renamed`;
        const c = correlation();
        await append(streams.modelName(modelNameKey(to)), [{ type: 'ModelNameReserved', data: { name: to, modelId } } satisfies ModelNameReserved], 'root', c);
        await append(streams.model(modelId), [{ type: 'ModelRenamed', data: { modelId, from: name, to } } satisfies ModelRenamed], 'root', c);
        await append(streams.modelName(modelNameKey(name)), [{ type: 'ModelNameReleased', data: { name, modelId } } satisfies ModelNameReleased], 'root', c);
        name = to;
      });
    }
    if (index % 4 === 2) {
      // Version 1 deleted, the tag removed; the alias left pointing at version 2.
      steps.push(async () => {
        const c = correlation();
        await append(streams.version(modelId, 1), [{ type: 'ModelVersionDeleted', data: { modelId, version: 1 } } satisfies ModelVersionDeleted], 'root', c);
        await append(streams.model(modelId), [{ type: 'ModelTagRemoved', data: { modelId, key: 'owner' } } satisfies ModelTagRemoved], 'root', c);
      });
      // Then the model is deleted and restored under another name: version 1 must stay deleted, the others come back.
      steps.push(async () => {
        const c = correlation();
        await append(streams.model(modelId), [{ type: 'ModelDeleted', data: { modelId, name } } satisfies ModelDeleted], 'root', c);
        await append(streams.modelName(modelNameKey(name)), [{ type: 'ModelNameReleased', data: { name, modelId } } satisfies ModelNameReleased], 'root', c);
      });
      steps.push(async () => {
        const to = `${name}-restored`;
        const c = correlation();
        await append(streams.modelName(modelNameKey(to)), [{ type: 'ModelNameReserved', data: { name: to, modelId } } satisfies ModelNameReserved], 'root', c);
        await append(streams.model(modelId), [{ type: 'ModelRestored', data: { modelId, name: to } } satisfies ModelRestored], 'root', c);
        name = to;
      });
    }
    steps.push(() => append(streams.version(modelId, versions), [{ type: 'ModelVersionDescriptionChanged', data: { modelId, version: versions, description: 'latest' } } satisfies ModelVersionDescriptionChanged], actor(), correlation()));
    if (index % 4 === 3) {
      steps.push(async () => {
        const c = correlation();
        await append(streams.model(modelId), [{ type: 'AliasRemoved', data: { modelId, alias: 'champion', version: 2 } } satisfies AliasRemoved], 'root', c);
        await append(streams.model(modelId), [{ type: 'ModelDeleted', data: { modelId, name } } satisfies ModelDeleted], 'root', c);
        await append(streams.modelName(modelNameKey(name)), [{ type: 'ModelNameReleased', data: { name, modelId } } satisfies ModelNameReleased], 'root', c);
      });
    }
    return steps;
  };

  const scripts = Array.from({ length: models }, (_, i) => script(i));
  const modelIds = scripts.map((_, i) => `${prefix}-model-${i}`);
  for (;;) {
    const pending = scripts.filter((s) => s.length > 0);
    if (pending.length === 0) break;
    const step = pick(pending).shift();
    if (step) await step();
  }
  return { events: appended, modelIds, streams: written };
}

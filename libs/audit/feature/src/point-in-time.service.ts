import { Inject, Injectable } from '@nestjs/common';
import { DomainError, fold, isDomainError, recordedUntil, streamCategory, streams, trainingRunKey } from '@mreg/shared/contracts';
import type { Decider, Event, ModelVersionEvent, Principal, RecordedEvent } from '@mreg/shared/contracts';
import { EVENT_STORE, verifyChain } from '@mreg/platform/event-store';
import type { EventStore } from '@mreg/platform/event-store';
import { ModelLookup } from '@mreg/registration/catalog';
import { modelVersionDecider, registeredModelDecider } from '@mreg/registration/domain';
import { transitionDecider, versionTransitionsDecider } from '@mreg/governance/domain';
import { artifactManifestDecider, listArtifacts } from '@mreg/artifact/domain';
import { accessResource, registeredFacts } from '@mreg/audit/read-models';

/** How long an integrity check works before it lets the event loop take a turn, in ms. */
const TURN_MS = 5;

/**
 * The embedded log reads synchronously: a model with thousands of streams would hold the event loop for the
 * whole check. Every few milliseconds the loop gets a turn (health checks, other requests) before going on.
 */
function sharingTheLoop(): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < TURN_MS) return;
    await new Promise((resolve) => setImmediate(resolve));
    since = performance.now();
  };
}

/** The state of one stream at `until` (or now), with its first and last event up to then. */
function streamAt<S, E extends Event>(events: readonly RecordedEvent[], decider: Decider<S, never, E>, until?: Date): { state: S; first?: RecordedEvent; last?: RecordedEvent } {
  const applied = recordedUntil(events, until);
  const [first, last] = [applied[0], applied.at(-1)];
  return { state: fold(decider, applied as readonly RecordedEvent<E>[]), ...(first ? { first } : {}), ...(last ? { last } : {}) };
}

/** A stream's creation and latest change up to `at`, and the instant and revision the answer is of. */
function asOf(first: RecordedEvent, last: RecordedEvent, at: Date) {
  return {
    createdAt: first.metadata.occurredAt,
    createdBy: first.metadata.actor,
    updatedAt: last.metadata.occurredAt,
    updatedBy: last.metadata.actor,
    asOf: at.toISOString(),
    revision: last.streamRevision,
  };
}

/**
 * Answers from the log itself: the registry as it was at any instant, the provenance of a version, and
 * whether a model's hash chains are intact. Nothing here depends on read models.
 */
@Injectable()
export class PointInTimeService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly lookup: ModelLookup,
  ) {}

  /**
   * The model that held `name` at `at`; without `at`, the one holding it now or else the last one that did (a
   * deleted model's history, provenance and integrity stay reachable by its name).
   */
  async modelIdAt(name: string, principal: Principal, at?: Date): Promise<string> {
    const holder = at === undefined ? await this.lookup.lastHolderOf(name) : await this.lookup.holderOf(name, at);
    const notFound = () => new DomainError('NOT_FOUND', at ? `no model was named "${name}" at ${at.toISOString()}` : `model "${name}" not found`, { name });
    if (!holder) throw notFound();
    // Who may read a model's past is whoever may read the model now (a model unreadable to the caller is unknown).
    await this.readable(holder, principal, notFound);
    return holder;
  }

  /**
   * `modelId` when a model with that id was ever registered (live or deleted), else NOT_FOUND: where id-addressed
   * audit reads start, which reach a deleted model even after its name went to another model.
   */
  async requireModelId(modelId: string, principal: Principal): Promise<string> {
    await this.lookup.authorizeId(modelId, principal, 'read');
    return modelId;
  }

  private async readable(modelId: string, principal: Principal, notFound: () => DomainError): Promise<void> {
    try {
      await this.lookup.authorizeId(modelId, principal, 'read');
    } catch (error) {
      throw isDomainError(error) && error.code === 'NOT_FOUND' ? notFound() : error;
    }
  }

  async modelAt(name: string, at: Date, principal: Principal) {
    const modelId = await this.modelIdAt(name, principal, at);
    const { state, first, last } = streamAt(await this.store.readStream(streams.model(modelId)), registeredModelDecider, at);
    if (!state.exists || state.deleted || !first || !last) throw new DomainError('NOT_FOUND', `model "${name}" did not exist at ${at.toISOString()}`, { name });
    return {
      id: modelId,
      name: state.name,
      description: state.description,
      tags: state.tags,
      aliases: state.aliases,
      latestVersion: state.lastVersion === 0 ? null : state.lastVersion,
      // Who could read, write and manage it then: the grants and visibility in force at that instant.
      access: accessResource(state.access),
      ...asOf(first, last, at),
    };
  }

  async versionAt(name: string, version: number, at: Date, principal: Principal) {
    const modelId = await this.modelIdAt(name, principal, at);
    const { state, first, last } = streamAt(await this.store.readStream(streams.version(modelId, version)), modelVersionDecider, at);
    if (!state.exists || state.deleted || !first || !last) throw new DomainError('NOT_FOUND', `version ${version} of "${name}" did not exist at ${at.toISOString()}`, { name, version });
    const manifest = streamAt(await this.store.readStream(streams.artifacts(modelId, version)), artifactManifestDecider, at).state;
    const model = streamAt(await this.store.readStream(streams.model(modelId)), registeredModelDecider, at).state;
    return {
      model: model.name,
      modelId,
      version,
      description: state.description,
      stage: state.stage,
      ...registeredFacts(state),
      aliases: Object.entries(model.aliases)
        .filter(([, v]) => v === version)
        .map(([a]) => a)
        .sort(),
      artifacts: listArtifacts(manifest).map((a) => ({ path: a.path, size: a.size, sha256: a.sha256, contentType: a.contentType })),
      ...asOf(first, last, at),
    };
  }

  /** The provenance of version `version` of the model that holds `name`, or else last held it. */
  async provenance(name: string, version: number, principal: Principal) {
    return this.provenanceOf(await this.modelIdAt(name, principal), version, `model "${name}"`);
  }

  /** The auditor's one document: data, code, run, artifacts, and the approval chain of every stage reached. */
  async provenanceOf(modelId: string, version: number, which = `model ${modelId}`) {
    const versionEvents = await this.store.readStream(streams.version(modelId, version));
    const { state, first } = streamAt(versionEvents, modelVersionDecider);
    // A deleted version keeps its provenance: the auditor's question outlives the version.
    if (!state.exists || !first) throw new DomainError('NOT_FOUND', `${which} has no version ${version}`, { modelId, version });
    const artifactEvents = await this.store.readStream(streams.artifacts(modelId, version));
    const manifest = streamAt(artifactEvents, artifactManifestDecider).state;
    const slotEvents = await this.store.readStream(streams.versionTransitions(modelId, version));
    const slot = streamAt(slotEvents, versionTransitionsDecider).state;

    const transitionStreams = new Map<string, RecordedEvent[]>();
    const loadTransition = async (id: string) => {
      if (!transitionStreams.has(id)) transitionStreams.set(id, await this.store.readStream(streams.transition(id)));
      return transitionStreams.get(id) ?? [];
    };
    const stageChanges = [];
    for (const e of versionEvents) {
      if (e.type !== 'ModelVersionStageChanged') continue;
      const change = e.data as Extract<ModelVersionEvent, { type: 'ModelVersionStageChanged' }>['data'];
      const tEvents = await loadTransition(change.transitionId);
      const t = streamAt(tEvents, transitionDecider).state;
      const requested = tEvents.find((x) => x.type === 'TransitionRequested');
      stageChanges.push({
        from: change.from,
        to: change.to,
        at: e.metadata.occurredAt,
        reason: change.reason,
        transitionId: change.transitionId,
        requestedBy: t.status === 'none' ? null : t.request.requestedBy,
        requestedAt: requested?.metadata.occurredAt ?? null,
        comment: t.status === 'none' ? null : t.request.comment,
        requiredApprovals: t.status === 'none' ? null : t.request.rule.requiredApprovals,
        approvals: tEvents.filter((x) => x.type === 'TransitionApprovalGiven').map((x) => ({ by: (x.data as { by: string }).by, at: x.metadata.occurredAt, comment: (x.data as { comment: string }).comment })),
      });
    }
    const requests = [];
    for (const id of slot.transitionIds) {
      const tEvents = await loadTransition(id);
      const t = streamAt(tEvents, transitionDecider).state;
      if (t.status === 'none') continue;
      requests.push({ transitionId: id, fromStage: t.request.fromStage, toStage: t.request.toStage, status: t.status, requestedBy: t.request.requestedBy, approvers: t.approvers, closedBy: t.closedBy ?? null });
    }
    const chains = [versionEvents, artifactEvents, slotEvents, ...transitionStreams.values()].map((events) => verifyChain(events));
    return {
      model: state.modelName,
      modelId,
      version,
      stage: state.stage,
      registeredAt: first.metadata.occurredAt,
      registeredBy: first.metadata.actor,
      training: { runId: state.runId ?? null, loggedModelId: state.loggedModelId ?? null, source: state.source ?? null, pipeline: state.lineage.pipeline ?? null, params: state.params, metrics: state.metrics },
      datasets: state.lineage.datasets,
      code: { repository: state.lineage.codeRepository ?? null, commit: state.lineage.codeCommit ?? null },
      artifacts: listArtifacts(manifest).map((a) => ({ path: a.path, size: a.size, sha256: a.sha256 })),
      stageHistory: stageChanges,
      transitionRequests: requests,
      integrity: { verified: chains.every((c) => c.valid), streamsChecked: chains.length },
    };
  }

  /** Verifies the model that holds `name`, or else last held it. */
  async verify(name: string, principal: Principal) {
    return this.verifyModel(await this.modelIdAt(name, principal));
  }

  /** Recomputes every hash chain of a model's streams (model, versions, artifacts, transitions, policy). */
  async verifyModel(modelId: string) {
    const modelEvents = await this.store.readStream(streams.model(modelId));
    const model = streamAt(modelEvents, registeredModelDecider).state;
    const ids = [streams.model(modelId), streams.policy(modelId)];
    const turn = sharingTheLoop();
    for (let v = 1; v <= model.lastVersion; v++) {
      await turn();
      ids.push(streams.version(modelId, v), streams.artifacts(modelId, v), streams.versionTransitions(modelId, v));
      // A version registered from a training run also has the run's claim stream.
      const created = (await this.store.readStream(streams.version(modelId, v), { maxCount: 1 }))[0];
      const runId = created?.type === 'ModelVersionCreated' ? (created.data as { runId?: string }).runId : undefined;
      if (runId) ids.push(streams.trainingRun(modelId, trainingRunKey(runId)));
    }
    const results = [];
    let events = 0;
    for (const id of new Set(ids)) {
      await turn();
      const recorded = id === streams.model(modelId) ? modelEvents : await this.store.readStream(id);
      if (recorded.length === 0) continue;
      events += recorded.length;
      const check = verifyChain(recorded);
      results.push({ stream: id, events: recorded.length, valid: check.valid, ...(check.brokenAt !== undefined ? { brokenAt: check.brokenAt } : {}) });
      if (streamCategory(id) === 'version-transitions') {
        const slot = streamAt(recorded, versionTransitionsDecider).state;
        for (const t of slot.transitionIds) {
          const tEvents = await this.store.readStream(streams.transition(t));
          events += tEvents.length;
          const c = verifyChain(tEvents);
          results.push({ stream: streams.transition(t), events: tEvents.length, valid: c.valid, ...(c.brokenAt !== undefined ? { brokenAt: c.brokenAt } : {}) });
        }
      }
    }
    return { model: model.name, modelId, valid: results.every((r) => r.valid), events, streams: results };
  }
}

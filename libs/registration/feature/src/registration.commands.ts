import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { isDomainError, streams, trainingRunKey } from '@mreg/shared/contracts';
import type { DatasetRef, Lineage, Stage } from '@mreg/shared/contracts';
import { canTakeOver, modelNameDecider, modelVersionDecider, registeredModelDecider, trainingRunDecider } from '@mreg/registration/domain';
import type { ModelNameState, ReserveModelName } from '@mreg/registration/domain';
import { WrongExpectedRevisionError } from '@mreg/platform/event-store';
import { EventSourcedRepository } from '@mreg/platform/runtime';
import type { CommandContext } from '@mreg/platform/runtime';
import { ModelDirectory, nameStreamOf } from './model-directory';

export interface NewModel {
  readonly name: string;
  readonly description?: string;
  readonly tags?: Record<string, string>;
}

/** The facts of a new version, whichever door they came through (HTTP, Kafka, MLflow). */
export interface NewVersion {
  readonly description?: string;
  readonly source?: string;
  readonly runId?: string;
  readonly loggedModelId?: string;
  readonly params?: Readonly<Record<string, string>>;
  readonly metrics?: Readonly<Record<string, number>>;
  readonly tags?: Readonly<Record<string, string>>;
  readonly lineage?: { readonly datasets?: readonly DatasetRef[]; readonly codeRepository?: string; readonly codeCommit?: string; readonly pipeline?: string };
  readonly signature?: Readonly<Record<string, unknown>>;
  /** Files in the MLflow artifact tree that the artifact context imports into the version (see ModelVersionCreated). */
  readonly artifactSource?: string;
}

/** A completed training run to register: the version's facts, the model's name and the run id. */
export type TrainingRun = NewVersion & { readonly model: string; readonly runId: string };

export interface TrainingRunRegistration {
  readonly modelId: string;
  readonly version: number;
  /** Whether this call created the model, the version; false when an earlier delivery of the run did. */
  readonly createdModel: boolean;
  readonly createdVersion: boolean;
}

/** The registration context's use cases: each loads aggregates from the log, decides, appends. */
@Injectable()
export class RegistrationCommands {
  constructor(
    private readonly repository: EventSourcedRepository,
    private readonly directory: ModelDirectory,
  ) {}

  /** Reserves `name` for `modelId`; a reservation left by a crashed registration (no model) is taken over. */
  private async reserveName(name: string, modelId: string, ctx: CommandContext): Promise<void> {
    const current = await this.directory.loadName(name);
    const orphans = new Set<string>();
    const holder = current.state.holder;
    if (holder && holder !== modelId) {
      const model = await this.directory.loadModel(holder);
      if (canTakeOver(current.state, model.state.exists && !model.state.deleted)) orphans.add(holder);
    }
    await this.repository.handle(
      nameStreamOf(name),
      modelNameDecider,
      (state: ModelNameState): ReserveModelName => ({
        type: 'ReserveModelName',
        data: { name, modelId, ...(state.holder && orphans.has(state.holder) ? { holderIsOrphan: true } : {}) },
      }),
      ctx,
    );
  }

  private async releaseName(name: string, modelId: string, ctx: CommandContext): Promise<void> {
    await this.repository.handle(nameStreamOf(name), modelNameDecider, { type: 'ReleaseModelName', data: { name, modelId } }, ctx);
  }

  modelIdOf(name: string): Promise<string> {
    return this.directory.require(name);
  }

  async registerModel(input: NewModel, ctx: CommandContext): Promise<string> {
    const modelId = randomUUID();
    await this.reserveName(input.name, modelId, ctx);
    await this.repository.handle(
      streams.model(modelId),
      registeredModelDecider,
      { type: 'RegisterModel', data: { modelId, name: input.name, description: input.description ?? '', tags: input.tags ?? {} } },
      ctx,
    );
    return modelId;
  }

  async changeDescription(name: string, description: string, ctx: CommandContext, expectedRevision?: number): Promise<string> {
    const modelId = await this.directory.require(name);
    await this.repository.handle(streams.model(modelId), registeredModelDecider, { type: 'ChangeModelDescription', data: { description } }, ctx, revisionOption(expectedRevision));
    return modelId;
  }

  async rename(name: string, newName: string, ctx: CommandContext): Promise<string> {
    const modelId = await this.directory.require(name);
    const sameName = nameStreamOf(name) === nameStreamOf(newName);
    if (!sameName) await this.reserveName(newName, modelId, ctx);
    try {
      await this.repository.handle(streams.model(modelId), registeredModelDecider, { type: 'RenameModel', data: { newName } }, ctx);
    } catch (error) {
      if (!sameName) await this.releaseName(newName, modelId, ctx);
      throw error;
    }
    if (!sameName) await this.releaseName(name, modelId, ctx);
    return modelId;
  }

  async setModelTag(name: string, key: string, value: string, ctx: CommandContext): Promise<string> {
    const modelId = await this.directory.require(name);
    await this.repository.handle(streams.model(modelId), registeredModelDecider, { type: 'SetModelTag', data: { key, value } }, ctx);
    return modelId;
  }

  async removeModelTag(name: string, key: string, ctx: CommandContext): Promise<string> {
    const modelId = await this.directory.require(name);
    await this.repository.handle(streams.model(modelId), registeredModelDecider, { type: 'RemoveModelTag', data: { key } }, ctx);
    return modelId;
  }

  async deleteModel(name: string, ctx: CommandContext): Promise<void> {
    const modelId = await this.directory.require(name);
    const model = await this.directory.loadModel(modelId);
    const productionVersions: number[] = [];
    for (let v = 1; v <= model.state.lastVersion; v++) {
      const version = await this.directory.loadVersion(modelId, v);
      if (version.state.exists && !version.state.deleted && version.state.stage === 'production') productionVersions.push(v);
    }
    await this.repository.handle(streams.model(modelId), registeredModelDecider, { type: 'DeleteModel', data: { productionVersions } }, ctx, { expectedRevision: model.revision });
    await this.releaseName(model.state.name, modelId, ctx);
  }

  /** Allocates the next number on the model stream (retried under contention), then creates the version stream. */
  async createVersion(name: string, input: NewVersion, ctx: CommandContext): Promise<{ modelId: string; version: number }> {
    const modelId = await this.directory.require(name);
    const { version, modelName } = await this.allocateVersionNumber(modelId, ctx);
    await this.createVersionStream(modelId, modelName, version, input, ctx);
    return { modelId, version };
  }

  /**
   * Registers a completed training run as a new version, idempotently per (model, run id): the model is created
   * when missing; then a number is allocated and claimed for the run on its claim stream (appended with "no
   * stream" expected). A delivery that loses that race abandons its number (a gap, never a duplicate version);
   * a later delivery finds the claim and only makes sure the version stream exists (it may not, when a crash
   * came between the claim and the version).
   */
  async registerTrainingRun(run: TrainingRun, ctx: CommandContext): Promise<TrainingRunRegistration> {
    const { modelId, created: createdModel } = await this.modelForTrainingRun(run.model, ctx);
    const claim = streams.trainingRun(modelId, trainingRunKey(run.runId));
    let linked = (await this.repository.load(claim, trainingRunDecider)).state.linked;
    let modelName: string | undefined;
    if (linked === undefined) {
      const allocated = await this.allocateVersionNumber(modelId, ctx);
      modelName = allocated.modelName;
      try {
        await this.repository.handle(
          claim,
          trainingRunDecider,
          { type: 'LinkTrainingRun', data: { modelId, runId: run.runId, version: allocated.version } },
          ctx,
          { expectedRevision: -1 },
        );
        linked = { runId: run.runId, version: allocated.version };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        // Another delivery of this run claimed it first; our number stays unused.
        linked = (await this.repository.load(claim, trainingRunDecider)).state.linked;
        if (linked === undefined) throw error;
      }
    }
    const existing = await this.directory.loadVersion(modelId, linked.version);
    if (existing.state.exists) return { modelId, version: linked.version, createdModel, createdVersion: false };
    modelName ??= (await this.directory.loadModel(modelId)).state.name;
    try {
      await this.createVersionStream(modelId, modelName, linked.version, versionFacts(run), ctx);
    } catch (error) {
      // A concurrent delivery of the same run created it meanwhile: that is the outcome we want.
      if (error instanceof WrongExpectedRevisionError || (isDomainError(error) && error.code === 'ALREADY_EXISTS')) {
        return { modelId, version: linked.version, createdModel, createdVersion: false };
      }
      throw error;
    }
    return { modelId, version: linked.version, createdModel, createdVersion: true };
  }

  /** The live model named `name`, registered (as the caller) when there is none. */
  private async modelForTrainingRun(name: string, ctx: CommandContext): Promise<{ modelId: string; created: boolean }> {
    const existing = await this.directory.resolve(name);
    if (existing !== undefined) return { modelId: existing, created: false };
    try {
      return { modelId: await this.registerModel({ name }, ctx), created: true };
    } catch (error) {
      // Two runs of a new model at once: one registers it, the other uses it.
      if (!isDomainError(error) || error.code !== 'ALREADY_EXISTS') throw error;
      return { modelId: await this.directory.require(name), created: false };
    }
  }

  /** Hands out the model's next version number (never reused), retried under contention. */
  private async allocateVersionNumber(modelId: string, ctx: CommandContext): Promise<{ version: number; modelName: string }> {
    const allocated = await this.repository.handle(streams.model(modelId), registeredModelDecider, { type: 'AllocateVersionNumber', data: {} }, ctx, { retries: 50 });
    return { version: allocated.state.lastVersion, modelName: allocated.state.name };
  }

  /** Creates the version stream of an allocated number (the decider refuses a version that exists). */
  private async createVersionStream(modelId: string, modelName: string, version: number, input: NewVersion, ctx: CommandContext): Promise<void> {
    const lineage: Lineage = {
      datasets: (input.lineage?.datasets ?? []).map((d) => ({ name: d.name, uri: d.uri, ...(d.digest ? { digest: d.digest } : {}) })),
      ...(input.lineage?.codeRepository ? { codeRepository: input.lineage.codeRepository } : {}),
      ...(input.lineage?.codeCommit ? { codeCommit: input.lineage.codeCommit.toLowerCase() } : {}),
      ...(input.lineage?.pipeline ? { pipeline: input.lineage.pipeline } : {}),
    };
    await this.repository.handle(
      streams.version(modelId, version),
      modelVersionDecider,
      {
        type: 'CreateModelVersion',
        data: {
          modelId,
          modelName,
          version,
          description: input.description ?? '',
          ...(input.source ? { source: input.source } : {}),
          ...(input.runId ? { runId: input.runId } : {}),
          ...(input.loggedModelId ? { loggedModelId: input.loggedModelId } : {}),
          ...(input.artifactSource !== undefined ? { artifactSource: input.artifactSource } : {}),
          params: input.params ?? {},
          metrics: input.metrics ?? {},
          tags: input.tags ?? {},
          lineage,
          ...(input.signature ? { signature: input.signature } : {}),
        },
      },
      ctx,
    );
  }

  async changeVersionDescription(name: string, version: number, description: string, ctx: CommandContext): Promise<string> {
    const modelId = await this.directory.require(name);
    await this.directory.requireVersion(modelId, version, name);
    await this.repository.handle(streams.version(modelId, version), modelVersionDecider, { type: 'ChangeVersionDescription', data: { description } }, ctx);
    return modelId;
  }

  async setVersionTag(name: string, version: number, key: string, value: string, ctx: CommandContext): Promise<string> {
    const modelId = await this.directory.require(name);
    await this.directory.requireVersion(modelId, version, name);
    await this.repository.handle(streams.version(modelId, version), modelVersionDecider, { type: 'SetVersionTag', data: { key, value } }, ctx);
    return modelId;
  }

  async removeVersionTag(name: string, version: number, key: string, ctx: CommandContext): Promise<string> {
    const modelId = await this.directory.require(name);
    await this.directory.requireVersion(modelId, version, name);
    await this.repository.handle(streams.version(modelId, version), modelVersionDecider, { type: 'RemoveVersionTag', data: { key } }, ctx);
    return modelId;
  }

  /** Deletes a version (never one in production) and removes the aliases that pointed at it. */
  async deleteVersion(name: string, version: number, ctx: CommandContext): Promise<void> {
    const modelId = await this.directory.require(name);
    await this.directory.requireVersion(modelId, version, name);
    await this.repository.handle(streams.version(modelId, version), modelVersionDecider, { type: 'DeleteModelVersion', data: {} }, ctx);
    const model = await this.directory.loadModel(modelId);
    for (const [alias, target] of Object.entries(model.state.aliases)) {
      if (target === version) await this.repository.handle(streams.model(modelId), registeredModelDecider, { type: 'RemoveAlias', data: { alias } }, ctx);
    }
  }

  async assignAlias(name: string, alias: string, version: number, ctx: CommandContext): Promise<string> {
    const modelId = await this.directory.require(name);
    const target = await this.directory.loadVersion(modelId, version);
    const versionExists = target.state.exists && !target.state.deleted;
    await this.repository.handle(streams.model(modelId), registeredModelDecider, { type: 'AssignAlias', data: { alias, version, versionExists } }, ctx);
    return modelId;
  }

  async removeAlias(name: string, alias: string, ctx: CommandContext): Promise<string> {
    const modelId = await this.directory.require(name);
    await this.repository.handle(streams.model(modelId), registeredModelDecider, { type: 'RemoveAlias', data: { alias } }, ctx);
    return modelId;
  }

  /**
   * Applies an approved transition to the version (a reaction, idempotent per transition id); with
   * archiveExisting, the model's other versions in the target stage (staging or production) are archived in
   * the same step.
   */
  async applyApprovedTransition(
    t: { transitionId: string; modelId: string; version: number; fromStage: Stage; toStage: Stage; archiveExisting: boolean },
    ctx: CommandContext,
  ): Promise<void> {
    const applied = await this.repository.handle(
      streams.version(t.modelId, t.version),
      modelVersionDecider,
      { type: 'ApplyStageChange', data: { transitionId: t.transitionId, from: t.fromStage, to: t.toStage, reason: 'requested' } },
      ctx,
    );
    const nowIn = applied.state.appliedTransitionIds.includes(t.transitionId);
    if (!nowIn || !t.archiveExisting || (t.toStage !== 'production' && t.toStage !== 'staging')) return;
    const model = await this.directory.loadModel(t.modelId);
    for (let v = 1; v <= model.state.lastVersion; v++) {
      if (v === t.version) continue;
      const other = await this.directory.loadVersion(t.modelId, v);
      if (!other.state.exists || other.state.deleted || other.state.stage !== t.toStage) continue;
      await this.repository.handle(
        streams.version(t.modelId, v),
        modelVersionDecider,
        { type: 'ApplyStageChange', data: { transitionId: t.transitionId, from: t.toStage, to: 'archived', reason: 'archived-existing' } },
        ctx,
      );
    }
  }
}

function revisionOption(expectedRevision: number | undefined): { expectedRevision?: number } {
  return expectedRevision === undefined ? {} : { expectedRevision };
}

/** The version's facts of a training run (run id included, the model name left out). */
function versionFacts(run: TrainingRun): NewVersion {
  const { model: _model, ...facts } = run;
  return facts;
}

import { randomInt, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DomainError, experimentNameKey, streams } from '@mreg/shared/contracts';
import type { DatasetInput, LoggedModelStatus, MetricPoint, RunStatus } from '@mreg/shared/contracts';
import { DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME, checkExperimentName, experimentDecider, experimentNameDecider, loggedModelDecider, runDecider } from '@mreg/tracking/domain';
import type { ExperimentNameState, ExperimentState, KeyValue, LoggedModelState, ReserveExperimentName, RunState } from '@mreg/tracking/domain';
import { EventSourcedRepository, SYSTEM_PRINCIPAL } from '@mreg/platform/runtime';
import type { CommandContext } from '@mreg/platform/runtime';
import { runNameFor } from './run-names';

/** Where MLflow's artifact proxy keeps an experiment's files unless the client names another location. */
const proxiedLocation = (experimentId: string) => `mlflow-artifacts:/${experimentId}`;

export interface NewExperiment {
  readonly name: string;
  readonly artifactLocation?: string;
  readonly tags?: readonly KeyValue[];
}

export interface NewRun {
  readonly experimentId: string;
  readonly userId?: string;
  readonly runName?: string;
  readonly startTime?: number;
  readonly tags?: readonly KeyValue[];
}

export interface RunBatch {
  readonly params?: readonly KeyValue[];
  readonly metrics?: readonly MetricPoint[];
  readonly tags?: readonly KeyValue[];
}

export interface NewLoggedModel {
  readonly experimentId: string;
  readonly name?: string;
  readonly sourceRunId?: string;
  readonly modelType?: string;
  readonly params?: readonly KeyValue[];
  readonly tags?: readonly KeyValue[];
}

const toMap = (pairs: readonly KeyValue[] = []): Record<string, string> => Object.fromEntries(pairs.map(({ key, value }) => [key, value]));

/**
 * The tracking context's use cases: experiments, runs and logged models, each a stream. Ids and clocks are
 * chosen here (never in the deciders): numeric experiment ids like MLflow's, 32-hex run ids, `m-<hex>` models.
 */
@Injectable()
export class TrackingCommands {
  private defaultExperiment?: Promise<void>;

  constructor(private readonly repository: EventSourcedRepository) {}

  /** Experiment "0" ("Default") is created the first time anyone needs it; concurrent first uses agree. */
  ensureDefaultExperiment(): Promise<void> {
    this.defaultExperiment ??= this.createDefaultExperiment().catch((error: unknown) => {
      this.defaultExperiment = undefined;
      throw error;
    });
    return this.defaultExperiment;
  }

  private async createDefaultExperiment(): Promise<void> {
    const ctx: CommandContext = { principal: SYSTEM_PRINCIPAL, correlationId: randomUUID() };
    const loaded = await this.repository.load(streams.experiment(DEFAULT_EXPERIMENT_ID), experimentDecider);
    if (loaded.state.exists) return;
    await this.reserveName(DEFAULT_EXPERIMENT_NAME, DEFAULT_EXPERIMENT_ID, ctx);
    await this.repository.handle(
      streams.experiment(DEFAULT_EXPERIMENT_ID),
      experimentDecider,
      { type: 'CreateExperiment', data: { experimentId: DEFAULT_EXPERIMENT_ID, name: DEFAULT_EXPERIMENT_NAME, artifactLocation: proxiedLocation(DEFAULT_EXPERIMENT_ID), tags: {}, at: Date.now() } },
      ctx,
    );
  }

  /** Reserves `name` for `experimentId`; a reservation left by a crashed creation (no experiment) is taken over. */
  private async reserveName(name: string, experimentId: string, ctx: CommandContext): Promise<void> {
    const nameStream = streams.experimentName(experimentNameKey(name));
    const current = await this.repository.load(nameStream, experimentNameDecider);
    const holder = current.state.holder;
    const orphan = holder !== undefined && holder !== experimentId && !(await this.experiment(holder)).exists;
    await this.repository.handle(
      nameStream,
      experimentNameDecider,
      (state: ExperimentNameState): ReserveExperimentName => ({ type: 'ReserveExperimentName', data: { name, experimentId, ...(orphan && state.holder === holder ? { holderIsOrphan: true } : {}) } }),
      ctx,
    );
  }

  private async experiment(experimentId: string): Promise<ExperimentState> {
    return (await this.repository.load(streams.experiment(experimentId), experimentDecider)).state;
  }

  private async requireExperiment(experimentId: string): Promise<ExperimentState> {
    if (experimentId === DEFAULT_EXPERIMENT_ID) await this.ensureDefaultExperiment();
    const state = await this.experiment(experimentId);
    if (!state.exists) throw new DomainError('NOT_FOUND', `No Experiment with id=${experimentId} exists`, { experimentId });
    return state;
  }

  async createExperiment(input: NewExperiment, ctx: CommandContext): Promise<string> {
    await this.ensureDefaultExperiment();
    checkExperimentName(input.name);
    const experimentId = String(randomInt(1, 2 ** 47));
    await this.reserveName(input.name, experimentId, ctx);
    await this.repository.handle(
      streams.experiment(experimentId),
      experimentDecider,
      { type: 'CreateExperiment', data: { experimentId, name: input.name, artifactLocation: input.artifactLocation ?? proxiedLocation(experimentId), tags: toMap(input.tags), at: Date.now() } },
      ctx,
    );
    return experimentId;
  }

  async renameExperiment(experimentId: string, newName: string, ctx: CommandContext): Promise<void> {
    const experiment = await this.requireExperiment(experimentId);
    checkExperimentName(newName);
    if (newName === experiment.name) return;
    await this.reserveName(newName, experimentId, ctx);
    try {
      await this.repository.handle(streams.experiment(experimentId), experimentDecider, { type: 'RenameExperiment', data: { newName, at: Date.now() } }, ctx);
    } catch (error) {
      await this.release(newName, experimentId, ctx);
      throw error;
    }
    await this.release(experiment.name, experimentId, ctx);
  }

  private async release(name: string, experimentId: string, ctx: CommandContext): Promise<void> {
    await this.repository.handle(streams.experimentName(experimentNameKey(name)), experimentNameDecider, { type: 'ReleaseExperimentName', data: { name, experimentId } }, ctx);
  }

  async setExperimentTag(experimentId: string, tag: KeyValue, ctx: CommandContext): Promise<void> {
    await this.requireExperiment(experimentId);
    await this.repository.handle(streams.experiment(experimentId), experimentDecider, { type: 'SetExperimentTag', data: { ...tag, at: Date.now() } }, ctx);
  }

  async deleteExperimentTag(experimentId: string, key: string, ctx: CommandContext): Promise<void> {
    await this.requireExperiment(experimentId);
    await this.repository.handle(streams.experiment(experimentId), experimentDecider, { type: 'DeleteExperimentTag', data: { key, at: Date.now() } }, ctx);
  }

  async deleteExperiment(experimentId: string, ctx: CommandContext): Promise<void> {
    await this.requireExperiment(experimentId);
    await this.repository.handle(streams.experiment(experimentId), experimentDecider, { type: 'DeleteExperiment', data: { at: Date.now() } }, ctx);
  }

  async restoreExperiment(experimentId: string, ctx: CommandContext): Promise<void> {
    await this.requireExperiment(experimentId);
    await this.repository.handle(streams.experiment(experimentId), experimentDecider, { type: 'RestoreExperiment', data: { at: Date.now() } }, ctx);
  }

  async createRun(input: NewRun, ctx: CommandContext): Promise<RunState> {
    if (input.experimentId === DEFAULT_EXPERIMENT_ID) await this.ensureDefaultExperiment();
    const experiment = await this.experiment(input.experimentId);
    const runId = randomUUID().replaceAll('-', '');
    const tagged = input.tags?.find((t) => t.key === 'mlflow.runName')?.value;
    const result = await this.repository.handle(
      streams.run(runId),
      runDecider,
      {
        type: 'CreateRun',
        data: {
          runId,
          experimentId: input.experimentId,
          experimentLifecycle: experiment.exists ? experiment.lifecycle : null,
          userId: input.userId ?? ctx.principal.user,
          runName: input.runName || tagged || runNameFor(runId),
          startTime: input.startTime ?? Date.now(),
          tags: input.tags ?? [],
          artifactUri: `${experiment.artifactLocation}/${runId}/artifacts`,
        },
      },
      ctx,
    );
    return result.state;
  }

  private async onRun(runId: string, command: Parameters<typeof runDecider.decide>[0], ctx: CommandContext): Promise<RunState> {
    const loaded = await this.repository.load(streams.run(runId), runDecider);
    if (!loaded.state.exists) throw runNotFound(runId);
    return (await this.repository.handle(streams.run(runId), runDecider, command, ctx)).state;
  }

  logBatch(runId: string, batch: RunBatch, ctx: CommandContext): Promise<RunState> {
    return this.onRun(runId, { type: 'LogRunBatch', data: { params: batch.params ?? [], metrics: batch.metrics ?? [], tags: batch.tags ?? [] } }, ctx);
  }

  deleteRunTag(runId: string, key: string, ctx: CommandContext): Promise<RunState> {
    return this.onRun(runId, { type: 'DeleteRunTag', data: { key } }, ctx);
  }

  updateRun(runId: string, changes: { status?: RunStatus; endTime?: number; runName?: string }, ctx: CommandContext): Promise<RunState> {
    return this.onRun(runId, { type: 'UpdateRun', data: changes }, ctx);
  }

  logInputs(runId: string, datasets: readonly DatasetInput[], loggedModelIds: readonly string[], ctx: CommandContext): Promise<RunState> {
    return this.onRun(runId, { type: 'LogRunInputs', data: { datasets, loggedModelIds } }, ctx);
  }

  logOutputs(runId: string, models: readonly { loggedModelId: string; step: number }[], ctx: CommandContext): Promise<RunState> {
    return this.onRun(runId, { type: 'LogRunOutputs', data: { models } }, ctx);
  }

  deleteRun(runId: string, ctx: CommandContext): Promise<RunState> {
    return this.onRun(runId, { type: 'DeleteRun', data: { at: Date.now() } }, ctx);
  }

  restoreRun(runId: string, ctx: CommandContext): Promise<RunState> {
    return this.onRun(runId, { type: 'RestoreRun', data: { at: Date.now() } }, ctx);
  }

  async createLoggedModel(input: NewLoggedModel, ctx: CommandContext): Promise<LoggedModelState> {
    if (input.experimentId === DEFAULT_EXPERIMENT_ID) await this.ensureDefaultExperiment();
    const experiment = await this.experiment(input.experimentId);
    const loggedModelId = `m-${randomUUID().replaceAll('-', '')}`;
    const result = await this.repository.handle(
      streams.loggedModel(loggedModelId),
      loggedModelDecider,
      {
        type: 'CreateLoggedModel',
        data: {
          loggedModelId,
          experimentId: input.experimentId,
          experimentLifecycle: experiment.exists ? experiment.lifecycle : null,
          name: input.name || runNameFor(loggedModelId),
          ...(input.sourceRunId ? { sourceRunId: input.sourceRunId } : {}),
          modelType: input.modelType ?? '',
          params: input.params ?? [],
          tags: input.tags ?? [],
          artifactLocation: `${experiment.artifactLocation}/models/${loggedModelId}/artifacts`,
          at: Date.now(),
        },
      },
      ctx,
    );
    return result.state;
  }

  private async onLoggedModel(loggedModelId: string, command: Parameters<typeof loggedModelDecider.decide>[0], ctx: CommandContext): Promise<LoggedModelState> {
    const loaded = await this.repository.load(streams.loggedModel(loggedModelId), loggedModelDecider);
    if (!loaded.state.exists || loaded.state.deleted) throw loggedModelNotFound(loggedModelId);
    return (await this.repository.handle(streams.loggedModel(loggedModelId), loggedModelDecider, command, ctx)).state;
  }

  logLoggedModelParams(loggedModelId: string, params: readonly KeyValue[], ctx: CommandContext): Promise<LoggedModelState> {
    return this.onLoggedModel(loggedModelId, { type: 'LogLoggedModelParams', data: { params, at: Date.now() } }, ctx);
  }

  finalizeLoggedModel(loggedModelId: string, status: Exclude<LoggedModelStatus, 'LOGGED_MODEL_PENDING'>, ctx: CommandContext): Promise<LoggedModelState> {
    return this.onLoggedModel(loggedModelId, { type: 'FinalizeLoggedModel', data: { status, at: Date.now() } }, ctx);
  }

  setLoggedModelTags(loggedModelId: string, tags: readonly KeyValue[], ctx: CommandContext): Promise<LoggedModelState> {
    return this.onLoggedModel(loggedModelId, { type: 'SetLoggedModelTags', data: { tags, at: Date.now() } }, ctx);
  }

  deleteLoggedModelTag(loggedModelId: string, key: string, ctx: CommandContext): Promise<LoggedModelState> {
    return this.onLoggedModel(loggedModelId, { type: 'DeleteLoggedModelTag', data: { key, at: Date.now() } }, ctx);
  }

  deleteLoggedModel(loggedModelId: string, ctx: CommandContext): Promise<LoggedModelState> {
    return this.onLoggedModel(loggedModelId, { type: 'DeleteLoggedModel', data: { at: Date.now() } }, ctx);
  }
}

export const runNotFound = (runId: string) => new DomainError('NOT_FOUND', `Run with id=${runId} not found`, { runId });
export const loggedModelNotFound = (loggedModelId: string) => new DomainError('NOT_FOUND', `Logged model with ID '${loggedModelId}' not found.`, { loggedModelId });

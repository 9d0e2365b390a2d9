import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { isDomainError, streams, trainingRunKey } from '@mreg/shared/contracts';
import { trainingRunDecider } from '@mreg/registration/domain';
import { WrongExpectedRevisionError } from '@mreg/platform/event-store';
import { EventSourcedRepository } from '@mreg/platform/runtime';
import type { CommandContext } from '@mreg/platform/runtime';
import { ModelLookup } from '@mreg/registration/catalog';
import { ModelRegistration } from './model-registration';
import { VersionNumbering } from './version-numbering';
import { VersionRegistration } from './version-registration';
import type { NewVersion } from './version-registration';

/** A completed training run to register: the version's facts, the model's name and the run id. */
export type TrainingRun = NewVersion & { readonly model: string; readonly runId: string };

export interface TrainingRunRegistration {
  readonly modelId: string;
  readonly version: number;
  /** Whether this call created the model, the version; false when an earlier delivery of the run did. */
  readonly createdModel: boolean;
  readonly createdVersion: boolean;
}

/**
 * Completed training runs, each registered as a new version once per (model, run id): the model is created
 * when missing; then a number is allocated and claimed for the run on its claim stream (appended with "no
 * stream" expected). A delivery that loses that race abandons its number (a gap, never a duplicate version);
 * a later delivery finds the claim and only makes sure the version stream exists (it may not, when a crash
 * came between the claim and the version).
 */
/** How long a run waits for a model another delivery is registering (1 + 2 + 4 + … ms). */
const REGISTERING_WAIT_MS = 1024;

@Injectable()
export class TrainingRunIntake {
  constructor(
    private readonly repository: EventSourcedRepository,
    private readonly lookup: ModelLookup,
    private readonly models: ModelRegistration,
    private readonly numbering: VersionNumbering,
    private readonly versions: VersionRegistration,
  ) {}

  async register(run: TrainingRun, ctx: CommandContext): Promise<TrainingRunRegistration> {
    const { modelId, created: createdModel } = await this.modelFor(run.model, ctx);
    const claim = streams.trainingRun(modelId, trainingRunKey(run.runId));
    let linked = (await this.repository.load(claim, trainingRunDecider)).state.linked;
    let modelName: string | undefined;
    if (linked === undefined) {
      const allocated = await this.numbering.allocate(modelId, ctx);
      modelName = allocated.modelName;
      try {
        await this.repository.handle(claim, trainingRunDecider, { type: 'LinkTrainingRun', data: { modelId, runId: run.runId, version: allocated.version } }, ctx, { expectedRevision: -1 });
        linked = { runId: run.runId, version: allocated.version };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        // Another delivery of this run claimed it first; our number stays unused.
        linked = (await this.repository.load(claim, trainingRunDecider)).state.linked;
        if (linked === undefined) throw error;
      }
    }
    if ((await this.lookup.version(modelId, linked.version)).exists) return { modelId, version: linked.version, createdModel, createdVersion: false };
    modelName ??= (await this.lookup.model(modelId)).name;
    try {
      await this.versions.record(modelId, modelName, linked.version, versionFacts(run), ctx);
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
  private async modelFor(name: string, ctx: CommandContext): Promise<{ modelId: string; created: boolean }> {
    // A model that exists takes the run's version only from a caller who may write to it.
    const mayWrite = async () => ({ modelId: (await this.lookup.authorize(name, ctx.principal, 'write')).modelId, created: false });
    if ((await this.lookup.resolve(name)) !== undefined) return mayWrite();
    try {
      return { modelId: await this.models.register({ name }, ctx), created: true };
    } catch (error) {
      // Two runs of a new model at once: one registers it, the other uses it once it is registered (the name is
      // reserved a moment before the model itself).
      if (!isDomainError(error) || error.code !== 'ALREADY_EXISTS') throw error;
      for (let delayMs = 1; delayMs <= REGISTERING_WAIT_MS; delayMs *= 2) {
        if ((await this.lookup.resolve(name)) !== undefined) return mayWrite();
        await sleep(delayMs);
      }
      return mayWrite();
    }
  }
}

/** The version's facts of a training run (run id included, the model name left out). */
function versionFacts(run: TrainingRun): NewVersion {
  const { model: _model, ...facts } = run;
  return facts;
}

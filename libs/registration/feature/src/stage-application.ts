import { Injectable } from '@nestjs/common';
import { streams } from '@mreg/shared/contracts';
import type { Stage } from '@mreg/shared/contracts';
import { modelVersionDecider } from '@mreg/registration/domain';
import { EventSourcedRepository } from '@mreg/platform/runtime';
import type { CommandContext } from '@mreg/platform/runtime';
import { ModelLookup } from '@mreg/registration/catalog';

/** A stage change governance approved (the facts of `TransitionApproved` registration acts on). */
export interface ApprovedStageChange {
  readonly transitionId: string;
  readonly modelId: string;
  readonly version: number;
  readonly fromStage: Stage;
  readonly toStage: Stage;
  readonly archiveExisting: boolean;
}

/** Stage changes: registration owns the version stream, so it applies what governance approved (decision 5). */
@Injectable()
export class StageApplication {
  constructor(
    private readonly repository: EventSourcedRepository,
    private readonly lookup: ModelLookup,
  ) {}

  /**
   * Applies an approved transition to the version (a reaction, idempotent per transition id); with
   * archiveExisting, the model's other versions in the target stage (staging or production) are archived in
   * the same step.
   */
  async apply(change: ApprovedStageChange, ctx: CommandContext): Promise<void> {
    const { transitionId, modelId, version, fromStage, toStage, archiveExisting } = change;
    const applied = await this.repository.handle(streams.version(modelId, version), modelVersionDecider, { type: 'ApplyStageChange', data: { transitionId, from: fromStage, to: toStage, reason: 'requested' } }, ctx);
    const nowIn = applied.state.appliedTransitionIds.includes(transitionId);
    if (!nowIn || !archiveExisting || (toStage !== 'production' && toStage !== 'staging')) return;
    const { lastVersion } = await this.lookup.model(modelId);
    for (let v = 1; v <= lastVersion; v++) {
      if (v === version) continue;
      const other = await this.lookup.version(modelId, v);
      if (!other.exists || other.deleted || other.stage !== toStage) continue;
      await this.repository.handle(streams.version(modelId, v), modelVersionDecider, { type: 'ApplyStageChange', data: { transitionId, from: toStage, to: 'archived', reason: 'archived-existing' } }, ctx);
    }
  }
}

import { Injectable } from '@nestjs/common';
import { modelNameKey, streams } from '@mreg/shared/contracts';
import { canTakeOver, modelNameDecider } from '@mreg/registration/domain';
import type { ModelNameState, ReserveModelName } from '@mreg/registration/domain';
import { EventSourcedRepository } from '@mreg/platform/runtime';
import type { CommandContext } from '@mreg/platform/runtime';
import { ModelLookup } from '@mreg/registration/catalog';

/** Stream of a name's reservation: hashed, so any valid name maps to a safe, fixed-length stream id. */
export function nameStreamOf(name: string): string {
  return streams.modelName(modelNameKey(name));
}

/** Whether two spellings are one name (names are unique case-insensitively). */
export function isSameName(a: string, b: string): boolean {
  return nameStreamOf(a) === nameStreamOf(b);
}

/**
 * Name reservations, the first and last steps of registering, renaming and deleting a model (decision 5): the
 * name stream is written before the model stream, so a reservation whose model never appeared is taken over.
 */
@Injectable()
export class ModelNames {
  constructor(
    private readonly repository: EventSourcedRepository,
    private readonly lookup: ModelLookup,
  ) {}

  /**
   * Reserves `name` for `modelId`; a reservation left by a crashed registration (no live model) is taken over.
   * True when this call reserved it, false when `modelId` held it already.
   */
  async reserve(name: string, modelId: string, ctx: CommandContext): Promise<boolean> {
    const current = await this.repository.load(nameStreamOf(name), modelNameDecider);
    const orphans = new Set<string>();
    const holder = current.state.holder;
    if (holder && holder !== modelId) {
      const model = await this.lookup.model(holder);
      if (canTakeOver(current.state, model.exists && !model.deleted)) orphans.add(holder);
    }
    const { events } = await this.repository.handle(
      nameStreamOf(name),
      modelNameDecider,
      (state: ModelNameState): ReserveModelName => ({
        type: 'ReserveModelName',
        data: { name, modelId, ...(state.holder && orphans.has(state.holder) ? { holderIsOrphan: true } : {}) },
      }),
      ctx,
    );
    return events.length > 0;
  }

  /** Gives `name` up; only its holder can (anyone else's release changes nothing). */
  async release(name: string, modelId: string, ctx: CommandContext): Promise<void> {
    await this.repository.handle(nameStreamOf(name), modelNameDecider, { type: 'ReleaseModelName', data: { name, modelId } }, ctx);
  }
}

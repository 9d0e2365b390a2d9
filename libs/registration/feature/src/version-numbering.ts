import { Injectable } from '@nestjs/common';
import { streams } from '@mreg/shared/contracts';
import { registeredModelDecider } from '@mreg/registration/domain';
import { EventSourcedRepository } from '@mreg/platform/runtime';
import type { CommandContext } from '@mreg/platform/runtime';

/** An allocated version number and the model's name when it was allocated. */
export interface AllocatedVersion {
  readonly version: number;
  readonly modelName: string;
}

/**
 * Version numbers, allocated on the model stream (`ModelVersionNumberAllocated`) before the version stream is
 * created: never reused; a crash between the two leaves a gap, never a duplicate (decision 5).
 */
@Injectable()
export class VersionNumbering {
  constructor(private readonly repository: EventSourcedRepository) {}

  /** Hands out the model's next version number, retried under contention. */
  async allocate(modelId: string, ctx: CommandContext): Promise<AllocatedVersion> {
    const allocated = await this.repository.handle(streams.model(modelId), registeredModelDecider, { type: 'AllocateVersionNumber', data: {} }, ctx, { retries: 50 });
    return { version: allocated.state.lastVersion, modelName: allocated.state.name };
  }
}

import { Injectable } from '@nestjs/common';
import { streams } from '@mreg/shared/contracts';
import type { DatasetRef, Lineage } from '@mreg/shared/contracts';
import { modelVersionDecider } from '@mreg/registration/domain';
import { EventSourcedRepository } from '@mreg/platform/runtime';
import type { CommandContext } from '@mreg/platform/runtime';
import { ModelLookup } from '@mreg/registration/catalog';
import { ModelAliases } from './model-aliases';
import { VersionNumbering } from './version-numbering';

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

/** Model versions: creating one under a new number, describing, tagging and deleting it. */
@Injectable()
export class VersionRegistration {
  constructor(
    private readonly repository: EventSourcedRepository,
    private readonly lookup: ModelLookup,
    private readonly numbering: VersionNumbering,
    private readonly aliases: ModelAliases,
  ) {}

  /** Allocates the next number on the model stream, then creates the version stream. */
  async create(name: string, input: NewVersion, ctx: CommandContext): Promise<{ modelId: string; version: number }> {
    const { modelId } = await this.lookup.authorize(name, ctx.principal, 'write');
    const { version, modelName } = await this.numbering.allocate(modelId, ctx);
    await this.record(modelId, modelName, version, input, ctx);
    return { modelId, version };
  }

  /** Creates the version stream of an allocated number (the decider refuses a version that exists). */
  async record(modelId: string, modelName: string, version: number, input: NewVersion, ctx: CommandContext): Promise<void> {
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

  async describe(name: string, version: number, description: string, ctx: CommandContext): Promise<string> {
    const modelId = await this.requireLive(name, version, ctx);
    await this.repository.handle(streams.version(modelId, version), modelVersionDecider, { type: 'ChangeVersionDescription', data: { description } }, ctx);
    return modelId;
  }

  async setTag(name: string, version: number, key: string, value: string, ctx: CommandContext): Promise<string> {
    const modelId = await this.requireLive(name, version, ctx);
    await this.repository.handle(streams.version(modelId, version), modelVersionDecider, { type: 'SetVersionTag', data: { key, value } }, ctx);
    return modelId;
  }

  async removeTag(name: string, version: number, key: string, ctx: CommandContext): Promise<string> {
    const modelId = await this.requireLive(name, version, ctx);
    await this.repository.handle(streams.version(modelId, version), modelVersionDecider, { type: 'RemoveVersionTag', data: { key } }, ctx);
    return modelId;
  }

  /**
   * Deletes a version (never one in production) and removes the aliases that pointed at it; refused (nothing
   * deleted) when one of them is protected and the caller may not remove it.
   */
  async delete(name: string, version: number, ctx: CommandContext): Promise<void> {
    const modelId = await this.requireLive(name, version, ctx);
    await this.aliases.requireMayDropAliasesOf(modelId, version, ctx);
    await this.repository.handle(streams.version(modelId, version), modelVersionDecider, { type: 'DeleteModelVersion', data: {} }, ctx);
    await this.aliases.removeNaming(modelId, version, ctx);
  }

  /** The id of the live model named `name` that has a live `version` the caller may change, or NOT_FOUND / PERMISSION_DENIED. */
  private async requireLive(name: string, version: number, ctx: CommandContext): Promise<string> {
    const { modelId } = await this.lookup.authorize(name, ctx.principal, 'write');
    await this.lookup.requireVersion(modelId, version, name);
    return modelId;
  }
}

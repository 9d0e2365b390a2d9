import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { CatalogQueries } from '@mreg/audit/read-models';
import type { ModelResource, VersionResource } from '@mreg/audit/read-models';
import { STAGES } from '@mreg/shared/contracts';
import { Consistency, MregConfig, WritePending, currentWrites, readAfterWrite } from '@mreg/platform/runtime';
import { ModelLookup } from '@mreg/registration/catalog';
import { DomainError } from '@mreg/shared/contracts';
import type { Principal } from '@mreg/shared/contracts';
import { mlflowModelVersion, mlflowRegisteredModel } from '../wire/entities';
import type { MlflowModelVersion, MlflowRegisteredModel } from '../wire/entities';

/** MLflow's view of registered models and versions, from the same read models `/api/v1` answers from. */
@Injectable()
export class MlflowRegistryViews {
  constructor(
    private readonly queries: CatalogQueries,
    private readonly consistency: Consistency,
    private readonly config: MregConfig,
    private readonly lookup: ModelLookup,
  ) {}

  /**
   * The id of the live model named `name` (any case, as everywhere in mreg), for reads: the name's small
   * reservation stream, then the read model — not the model stream, which grows with every version.
   */
  async modelIdOf(name: string, reader: Principal): Promise<string> {
    const holder = await this.lookup.holderOf(name);
    const model = holder === undefined ? undefined : await this.queries.model(holder).catch(() => undefined);
    // A model the caller may not read is answered as one that does not exist (decision 32).
    const readable = holder !== undefined && (await this.lookup.permissionOf(holder, reader)) !== undefined;
    if (holder === undefined || model === undefined || !readable) throw new DomainError('NOT_FOUND', `registered model "${name}" not found`, { name });
    return holder;
  }

  /** The model as mreg's read model has it. */
  rawModel(modelId: string): Promise<ModelResource> {
    return this.queries.model(modelId);
  }

  rawVersion(modelId: string, version: number): Promise<VersionResource> {
    return this.queries.version(modelId, version);
  }

  /** A registered model with its latest version in each stage (MLflow's `latest_versions`). */
  async model(modelId: string): Promise<MlflowRegisteredModel> {
    const model = await this.queries.model(modelId);
    return mlflowRegisteredModel(model, await this.queries.latestInStages(modelId, STAGES));
  }

  async version(modelId: string, version: number): Promise<MlflowModelVersion> {
    return mlflowModelVersion(await this.queries.version(modelId, version));
  }

  /**
   * The model after this request's writes reached the read models. MLflow's client cannot take mreg's 202
   * "pending" answer, so when they lag past the wait it gets what the write itself knows.
   */
  async settledModel(modelId: string, name: string): Promise<MlflowRegisteredModel> {
    await this.consistency.waitFor(currentWrites());
    try {
      return await readAfterWrite(() => this.model(modelId), { id: modelId });
    } catch (error) {
      if (error instanceof WritePending) return { name };
      throw error;
    }
  }

  /**
   * The version after this request's writes reached the read models, and — for a version whose files come from
   * the MLflow artifact tree — after the artifact context imported them (bounded by the consistency wait): the
   * client then gets READY at once instead of polling a PENDING_REGISTRATION version.
   */
  async settledVersion(modelId: string, version: number, name: string): Promise<MlflowModelVersion> {
    await this.consistency.waitFor(currentWrites());
    const deadline = Date.now() + this.config.consistencyTimeoutMs;
    let delay = 2;
    for (;;) {
      let current: VersionResource | undefined;
      try {
        current = await readAfterWrite(() => this.queries.version(modelId, version), { modelId, version });
      } catch (error) {
        if (!(error instanceof WritePending)) throw error;
      }
      if (current !== undefined && (current.status === 'ready' || Date.now() > deadline)) return mlflowModelVersion(current);
      if (current === undefined && Date.now() > deadline) return { name, version: String(version), current_stage: 'None', status: 'PENDING_REGISTRATION' };
      await sleep(delay);
      delay = Math.min(delay * 2, 50);
    }
  }
}

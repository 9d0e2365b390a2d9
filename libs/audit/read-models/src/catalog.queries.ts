import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@mreg/shared/contracts';
import type { Principal, Stage } from '@mreg/shared/contracts';
import { bindFilter } from '@mreg/shared/query';
import type { BoundFilter, FilterNode } from '@mreg/shared/query';
import { READ_STORE } from '@mreg/platform/read-store';
import type { ReadStore } from '@mreg/platform/read-store';
import { COLLECTIONS, versionDocId } from './catalog.documents';
import type { AuditEntryDoc, ModelDoc, TransitionDoc, VersionDoc } from './catalog.documents';
import { DELETED_MODEL_FILTER, HISTORY_PAGE_FILTER, MODEL_FILTER, TRANSITION_FILTER, VERSION_FILTER } from './catalog.schemas';
import { and, eq, listPage } from './list-query';
import { readableBy, readerKey } from './readable';
import type { ListParams, ListResult } from './list-query';
import { deletedModelResource, historyEntryResource, modelResource, transitionResource, versionResource } from './resources';
import type { DeletedModelResource, HistoryEntryResource, ModelResource, TransitionResource, VersionResource } from './resources';

const ACTIVE = eq('status', 'active');

/** Queries over the read models (what every GET answers from). */
@Injectable()
export class CatalogQueries {
  constructor(@Inject(READ_STORE) private readonly store: ReadStore) {}

  private get models() {
    return this.store.collection<ModelDoc>(COLLECTIONS.models);
  }
  private get versions() {
    return this.store.collection<VersionDoc>(COLLECTIONS.versions);
  }
  private get transitions() {
    return this.store.collection<TransitionDoc>(COLLECTIONS.transitions);
  }
  private get audit() {
    return this.store.collection<AuditEntryDoc>(COLLECTIONS.audit);
  }

  async model(modelId: string): Promise<ModelResource> {
    const doc = await this.models.get(modelId);
    if (!doc || doc.status !== 'active') throw new DomainError('NOT_FOUND', 'model not found');
    return modelResource(doc);
  }

  listModels(params: ListParams, reader: Principal): Promise<ListResult<ModelResource>> {
    return listPage(this.models, MODEL_FILTER, params, { scope: and(ACTIVE, readableBy(reader)), scopeKey: `models:${readerKey(reader)}`, defaultOrder: 'name asc', map: modelResource });
  }

  /** A deleted model by id (NOT_FOUND for a live or unknown one). */
  async deletedModel(modelId: string): Promise<DeletedModelResource> {
    const doc = await this.models.get(modelId);
    if (!doc || doc.status !== 'deleted') throw new DomainError('NOT_FOUND', `no deleted model has id ${modelId}`, { modelId });
    return deletedModelResource(doc);
  }

  /** Deleted models, most recently deleted first by default (their names may belong to other models by now). */
  listDeletedModels(params: ListParams, reader: Principal): Promise<ListResult<DeletedModelResource>> {
    return listPage(this.models, DELETED_MODEL_FILTER, params, { scope: and(eq('status', 'deleted'), readableBy(reader)), scopeKey: `deleted-models:${readerKey(reader)}`, defaultOrder: 'deletedAt desc', map: deletedModelResource });
  }

  async version(modelId: string, version: number): Promise<VersionResource> {
    const doc = await this.versions.get(versionDocId(modelId, version));
    if (!doc || doc.status !== 'active') throw new DomainError('NOT_FOUND', `version ${version} not found`);
    return versionResource(doc);
  }

  /** Versions of one model (modelId given) or across all models. */
  /** Versions of one model (modelId given: the caller checked it may read it) or across the models `reader` may read. */
  async listVersions(params: ListParams, reader: Principal, modelId?: string): Promise<ListResult<VersionResource>> {
    return listPage(this.versions, VERSION_FILTER, params, {
      scope: and(ACTIVE, modelId ? eq('modelId', modelId) : await this.readableModelIds(reader)),
      scopeKey: `versions:${modelId ?? `*:${readerKey(reader)}`}`,
      defaultOrder: modelId ? 'version desc' : 'createdAt desc',
      map: versionResource,
    });
  }

  /** Versions of a model in a stage, as the read model knows them (callers verify against the log). */
  async versionsInStage(modelId: string, stage: string): Promise<number[]> {
    const page = await this.versions.find({
      filter: and(ACTIVE, eq('modelId', modelId), eq('stage', stage)),
      sort: { field: { name: 'version', path: ['version'], type: 'number' }, direction: 'asc' },
      limit: 1000,
    });
    return page.items.map((v) => v.version);
  }

  /**
   * Models or versions matching a filter tree parsed elsewhere (MLflow's search language), paged like every
   * list; `key` identifies the query for its page tokens.
   */
  searchModels(filter: FilterNode | undefined, key: string, params: Omit<ListParams, 'filter'>, reader: Principal): Promise<ListResult<ModelResource>> {
    return listPage(this.models, MODEL_FILTER, params, {
      scope: and(ACTIVE, readableBy(reader), filter ? bindFilter(filter, MODEL_FILTER) : undefined),
      scopeKey: `models:${readerKey(reader)}:${key}`,
      defaultOrder: 'name asc',
      map: modelResource,
    });
  }

  async searchVersions(filter: FilterNode | undefined, key: string, params: Omit<ListParams, 'filter'>, maxPageSize: number, reader: Principal): Promise<ListResult<VersionResource>> {
    return listPage(this.versions, VERSION_FILTER, params, {
      scope: and(ACTIVE, await this.readableModelIds(reader), filter ? bindFilter(filter, VERSION_FILTER) : undefined),
      scopeKey: `versions:${readerKey(reader)}:${key}`,
      defaultOrder: 'nameOrder asc',
      map: versionResource,
      maxPageSize,
    });
  }

  /** The highest-numbered live version of a model in each of `stages` that has one. */
  async latestInStages(modelId: string, stages: readonly Stage[]): Promise<VersionResource[]> {
    const latest = await Promise.all(
      stages.map(async (stage) => {
        const page = await this.versions.find({
          filter: and(ACTIVE, eq('modelId', modelId), eq('stage', stage)),
          sort: { field: { name: 'version', path: ['version'], type: 'number' }, direction: 'desc' },
          limit: 1,
        });
        return page.items[0];
      }),
    );
    return latest.filter((doc): doc is VersionDoc => doc !== undefined).map(versionResource);
  }

  async transition(id: string): Promise<TransitionResource> {
    const doc = await this.transitions.get(id);
    if (!doc) throw new DomainError('NOT_FOUND', `transition ${id} not found`);
    return transitionResource(doc);
  }

  /** Requests on the models `reader` may read (modelId given: the caller checked it may read that one). */
  async listTransitions(params: ListParams & { status?: string; modelId?: string; version?: number }, reader: Principal): Promise<ListResult<TransitionResource>> {
    return listPage(this.transitions, TRANSITION_FILTER, params, {
      scope: and(params.status ? eq('status', params.status) : undefined, params.modelId ? eq('modelId', params.modelId) : await this.readableModelIds(reader), params.version !== undefined ? eq('version', params.version) : undefined),
      scopeKey: `transitions:${params.status ?? ''}:${params.modelId ?? readerKey(reader)}:${params.version ?? ''}`,
      defaultOrder: 'requestedAt desc',
      map: transitionResource,
    });
  }

  /**
   * The models `reader` may read, as a filter on `modelId` for documents that do not carry `readers` (versions,
   * transition requests, history entries: their model's access is the model document's to keep): the shorter of the list of readable models and the list of the others, so that a registry where most
   * models are open to all (or most are private) asks with a short list either way.
   */
  private async readableModelIds(reader: Principal): Promise<BoundFilter | undefined> {
    const readable = readableBy(reader);
    if (readable === undefined || readable.kind === 'in') return readable;
    const [yes, no] = await Promise.all([this.models.count(readable), this.models.count({ kind: 'not', filter: readable })]);
    const ids = await this.modelIds(yes <= no ? readable : { kind: 'not', filter: readable });
    const field = { name: 'modelId', path: ['modelId'], type: 'string' } as const;
    if (yes <= no) return ids.length === 0 ? eq('modelId', '') : { kind: 'in', field, values: ids };
    return ids.length === 0 ? undefined : { kind: 'not', filter: { kind: 'in', field, values: ids } };
  }

  private async modelIds(filter: BoundFilter): Promise<string[]> {
    const ids: string[] = [];
    const sort = { field: { name: 'modelId', path: ['modelId'], type: 'string' as const }, direction: 'asc' as const };
    let after: { value: string | number | null; id: string } | undefined;
    for (;;) {
      const page = await this.models.find({ filter, sort, limit: 1000, ...(after ? { after } : {}) });
      ids.push(...page.items.map((m) => m.modelId));
      if (!page.next) return ids;
      after = page.next;
    }
  }

  /**
   * Every model's history the reader may read, newest first by default: the registry-wide audit trail. Its entries
   * carry their model's id; those of hidden models are left out like the models themselves.
   */
  async registryHistory(params: ListParams, reader: Principal): Promise<ListResult<HistoryEntryResource>> {
    return listPage(this.audit, HISTORY_PAGE_FILTER, params, {
      scope: await this.readableModelIds(reader),
      scopeKey: `history:*:${readerKey(reader)}`,
      defaultOrder: 'seq desc',
      map: historyEntryResource,
    });
  }

  history(modelId: string, params: ListParams, version?: number): Promise<ListResult<HistoryEntryResource>> {
    return listPage(this.audit, HISTORY_PAGE_FILTER, params, {
      scope: and(eq('modelId', modelId), version !== undefined ? eq('version', version) : undefined),
      scopeKey: `history:${modelId}:${version ?? ''}`,
      defaultOrder: 'seq asc',
      map: historyEntryResource,
    });
  }
}

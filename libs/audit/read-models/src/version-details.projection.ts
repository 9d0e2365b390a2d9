import type { ArtifactEvent, ModelEvent, ModelVersionEvent, RecordedEvent } from '@mreg/shared/contracts';
import { streamCategory, unknownEvent } from '@mreg/shared/contracts';
import type { ReadStore } from '@mreg/platform/read-store';
import type { Projection } from '@mreg/platform/runtime';
import { READ_MODEL_PROJECTIONS } from './projection-catalog';
import { COLLECTIONS, versionDocId } from './catalog.documents';
import type { VersionDoc } from './catalog.documents';

/** A version before its ModelVersionCreated is applied: registered with nothing yet, in development. */
const UNREGISTERED = { description: '', params: {}, metrics: {}, tags: {}, lineage: { datasets: [] }, stage: 'development' } as const satisfies Partial<VersionDoc>;

function placeholder(modelId: string, version: number, at: string, actor: string): VersionDoc {
  return {
    id: versionDocId(modelId, version),
    modelId,
    modelName: '',
    version,
    ...UNREGISTERED,
    aliases: [],
    artifactCount: 0,
    artifactBytes: 0,
    createdAt: at,
    createdBy: actor,
    updatedAt: at,
    updatedBy: actor,
    status: 'pending',
  };
}

/**
 * A version document once its model is deleted (`deleted: true`) or restored (`deleted: false`, under `name`):
 * hidden with the model, and listed again on restore unless the version itself was deleted. A document whose
 * ModelVersionCreated is not applied yet stays 'pending' (ModelVersionCreated then looks at both flags).
 */
export function withModelDeleted(doc: VersionDoc, deleted: boolean): VersionDoc {
  const { modelDeleted: _, ...rest } = doc;
  const status = doc.status === 'pending' ? 'pending' : deleted || doc.versionDeleted === true ? 'deleted' : 'active';
  // Kept only while true, so that a document reads the same whichever order its streams were projected in.
  return deleted ? { ...rest, modelDeleted: true, status } : { ...rest, status };
}

/**
 * The model name of a version document and its `nameOrder` key: name ascending, then version descending, the
 * order MLflow's version search defaults to (mreg pages on one key). A control character separates the two:
 * names have none, so it sorts before any character a longer name continues with.
 */
export function named(modelName: string, version: number): Pick<VersionDoc, 'modelName' | 'nameOrder'> {
  return { modelName, nameOrder: `${modelName}\u0001${String(999_999_999 - version).padStart(9, '0')}` };
}

/** Pure: the version document after one event of its version or artifact stream. */
export function evolveVersionDoc(doc: VersionDoc | undefined, event: RecordedEvent): VersionDoc {
  const at = event.metadata.occurredAt;
  const actor = event.metadata.actor;
  const e = { type: event.type, data: event.data } as ModelVersionEvent | ArtifactEvent;
  const base = doc ?? placeholder(e.data.modelId, e.data.version, at, actor);
  // The version stream and the artifact stream both touch the document, and the bus orders neither against the
  // other: the touch with the highest log position wins, which is what a replay in log order gives.
  const seq = Number(event.position);
  const touch = seq > (base.updatedSeq ?? -1) ? { updatedAt: at, updatedBy: actor, updatedSeq: seq } : {};
  switch (e.type) {
    case 'ModelVersionCreated': {
      const d = e.data;
      return {
        ...base,
        // A rename projected before this event is applied right after it (catchUpWithModel).
        ...named(d.modelName, d.version),
        description: d.description,
        ...(d.source !== undefined ? { source: d.source } : {}),
        ...(d.runId !== undefined ? { runId: d.runId } : {}),
        ...(d.loggedModelId !== undefined ? { loggedModelId: d.loggedModelId } : {}),
        ...(d.artifactSource !== undefined ? { artifactSource: d.artifactSource } : {}),
        params: d.params,
        metrics: d.metrics,
        tags: d.tags,
        lineage: d.lineage,
        ...(d.signature !== undefined ? { signature: d.signature } : {}),
        createdAt: at,
        createdBy: actor,
        status: base.versionDeleted === true || base.modelDeleted === true ? 'deleted' : 'active',
        ...touch,
      };
    }
    case 'ModelVersionDescriptionChanged':
      return { ...base, description: e.data.description, ...touch };
    case 'ModelVersionTagSet':
      return { ...base, tags: { ...base.tags, [e.data.key]: e.data.value }, ...touch };
    case 'ModelVersionTagRemoved': {
      const tags = { ...base.tags };
      delete tags[e.data.key];
      return { ...base, tags, ...touch };
    }
    case 'ModelVersionStageChanged':
      return { ...base, stage: e.data.to, stageChangedAt: at, ...touch };
    case 'ModelVersionStageChangeRefused':
      return base;
    case 'ModelVersionDeleted':
      return { ...base, versionDeleted: true, status: 'deleted', ...touch };
    case 'ArtifactAdded':
      return { ...base, artifactCount: base.artifactCount + 1, artifactBytes: base.artifactBytes + e.data.size, ...touch };
    case 'ArtifactsImported': {
      const bytes = e.data.entries.reduce((sum, entry) => sum + entry.size, 0);
      return { ...base, artifactCount: base.artifactCount + e.data.entries.length, artifactBytes: base.artifactBytes + bytes, artifactsImported: true, ...touch };
    }
    default:
      return unknownEvent(e, base);
  }
}

/** What the version projection knows of each model: name and deletion (or restoration), with the model stream revision. */
interface ModelFacts {
  readonly name: string;
  readonly deleted: boolean;
  readonly streamId: string;
  readonly revision: number;
}
const MODEL_FACTS = 'version_model_facts';

/** Versions with their stage, aliases and artifact totals; also follows renames and alias moves. */
export class VersionDetailsProjection implements Projection {
  readonly name = READ_MODEL_PROJECTIONS[1].name;
  readonly topics = READ_MODEL_PROJECTIONS[1].topics;

  constructor(private readonly store: ReadStore) {}

  async handle(event: RecordedEvent): Promise<void> {
    const versions = this.store.collection<VersionDoc>(COLLECTIONS.versions);
    const category = streamCategory(event.streamId);
    if (category === 'version' || category === 'artifacts') {
      const { modelId, version } = event.data as { modelId: string; version: number };
      const id = versionDocId(modelId, version);
      await versions.apply(id, event.streamId, event.streamRevision, (doc) => evolveVersionDoc(doc, event));
      if (event.type === 'ModelVersionCreated') await this.catchUpWithModel(id, modelId);
      return;
    }
    if (category !== 'model') return;
    await this.recordModelFacts(event);
    const e = { type: event.type, data: event.data } as ModelEvent;
    const at = event.metadata.occurredAt;
    const actor = event.metadata.actor;
    const setAlias = async (modelId: string, version: number, alias: string, present: boolean) =>
      versions.apply(versionDocId(modelId, version), event.streamId, event.streamRevision, (doc) => {
        const base = doc ?? placeholder(modelId, version, at, actor);
        const others = base.aliases.filter((a) => a !== alias);
        return { ...base, aliases: present ? [...others, alias].sort() : others };
      });
    switch (e.type) {
      case 'AliasAssigned':
        if (e.data.previousVersion !== undefined && e.data.previousVersion !== e.data.version) {
          await setAlias(e.data.modelId, e.data.previousVersion, e.data.alias, false);
        }
        await setAlias(e.data.modelId, e.data.version, e.data.alias, true);
        return;
      case 'AliasRemoved':
        await setAlias(e.data.modelId, e.data.version, e.data.alias, false);
        return;
      case 'ModelRenamed': {
        const { modelId, to } = e.data;
        const ids = await this.versionIdsOf(modelId);
        for (const id of ids) {
          await versions.apply(id, event.streamId, event.streamRevision, (doc) => ({ ...(doc as VersionDoc), ...named(to, (doc as VersionDoc).version) }));
        }
        return;
      }
      case 'ModelDeleted': {
        // A deleted model's versions leave every list and search with it (their streams stay as they are).
        const ids = await this.versionIdsOf(e.data.modelId);
        for (const id of ids) {
          await versions.apply(id, event.streamId, event.streamRevision, (doc) => withModelDeleted(doc as VersionDoc, true));
        }
        return;
      }
      case 'ModelRestored': {
        // Back with the model, under the name it is restored with; a version deleted on its own stays deleted.
        const { modelId, name } = e.data;
        const ids = await this.versionIdsOf(modelId);
        for (const id of ids) {
          await versions.apply(id, event.streamId, event.streamRevision, (doc) => ({ ...withModelDeleted(doc as VersionDoc, false), ...named(name, (doc as VersionDoc).version) }));
        }
        return;
      }
      // Who may read a version is its model's business: lists of versions ask the model documents (decision 32).
      case 'ModelAccessGranted':
      case 'ModelAccessRevoked':
      case 'ModelVisibilityChanged':
      case 'ModelRegistered':
      case 'ModelDescriptionChanged':
      case 'ModelTagSet':
      case 'ModelTagRemoved':
      case 'ModelVersionNumberAllocated':
        return;
      default: {
        const unexpected: never = e;
        return unexpected;
      }
    }
  }

  /**
   * Streams are ordered each but not with each other: a rename or deletion of the model may be projected before
   * a version created earlier. The model facts seen so far are kept, and a newly created version catches up.
   */
  private async recordModelFacts(event: RecordedEvent): Promise<void> {
    const e = { type: event.type, data: event.data } as ModelEvent;
    const facts = this.store.collection<ModelFacts>(MODEL_FACTS);
    const revision = event.streamRevision;
    const streamId = event.streamId;
    if (e.type === 'ModelRegistered') await facts.apply(e.data.modelId, streamId, event.streamRevision, (f) => ({ name: e.data.name, deleted: f?.deleted ?? false, streamId, revision }));
    if (e.type === 'ModelRenamed') await facts.apply(e.data.modelId, streamId, event.streamRevision, (f) => ({ name: e.data.to, deleted: f?.deleted ?? false, streamId, revision }));
    if (e.type === 'ModelDeleted') await facts.apply(e.data.modelId, streamId, event.streamRevision, (f) => ({ name: f?.name ?? e.data.name, deleted: true, streamId, revision }));
    if (e.type === 'ModelRestored') await facts.apply(e.data.modelId, streamId, event.streamRevision, () => ({ name: e.data.name, deleted: false, streamId, revision }));
  }

  private async catchUpWithModel(id: string, modelId: string): Promise<void> {
    const facts = this.store.collection<ModelFacts>(MODEL_FACTS);
    let known = await facts.get(modelId);
    while (known) {
      const applied: ModelFacts = known;
      // Guarded by a key of its own, not the model stream's: the document may already carry the model stream's
      // revision (an alias or a rename reached a placeholder before ModelVersionCreated did).
      await this.store.collection<VersionDoc>(COLLECTIONS.versions).apply(id, `${MODEL_FACTS}:${applied.streamId}`, applied.revision, (doc) => ({
        ...withModelDeleted(doc as VersionDoc, applied.deleted),
        ...named(applied.name, (doc as VersionDoc).version),
      }));
      // A rename projected meanwhile may have written its name before this older one: apply the newer facts too.
      known = await facts.get(modelId);
      if (known && known.revision <= applied.revision) break;
    }
  }

  private async versionIdsOf(modelId: string): Promise<string[]> {
    const versions = this.store.collection<VersionDoc>(COLLECTIONS.versions);
    const ids: string[] = [];
    const field = { name: 'modelId', path: ['modelId'], type: 'string' as const };
    // In the order of the index on (modelId, version desc): each page is read straight from it.
    const sort = { field: { name: 'version', path: ['version'], type: 'number' as const }, direction: 'desc' as const };
    let after: { value: string | number | null; id: string } | undefined;
    for (;;) {
      const page = await versions.find({ filter: { kind: 'compare', field, op: '=', value: modelId }, sort, limit: 500, ...(after ? { after } : {}) });
      ids.push(...page.items.map((v) => v.id));
      if (!page.next) return ids;
      after = page.next;
    }
  }
}

import type { ModelEvent, ModelVersionEvent, RecordedEvent } from '@mreg/shared/contracts';
import { OPEN_MODEL_ACCESS, evolveModelAccess, readersOf, streamCategory, unknownEvent } from '@mreg/shared/contracts';
import type { ModelAccess } from '@mreg/shared/contracts';
import type { ReadStore } from '@mreg/platform/read-store';
import type { Projection } from '@mreg/platform/runtime';
import { READ_MODEL_PROJECTIONS } from './projection-catalog';
import { COLLECTIONS } from './catalog.documents';
import type { ModelDoc } from './catalog.documents';

type Touch = Pick<ModelDoc, 'updatedAt' | 'updatedBy'>;

function placeholder(modelId: string, at: string, actor: string): ModelDoc {
  return {
    id: modelId,
    modelId,
    name: '',
    description: '',
    tags: {},
    aliases: {},
    latestVersion: 0,
    versionCount: 0,
    createdAt: at,
    createdBy: actor,
    updatedAt: at,
    updatedBy: actor,
    status: 'pending',
  };
}

/**
 * Pure: the model document after one event of its model stream or of one of its version streams. Streams are
 * delivered in order each, but not with each other: a version event may come first, and then starts a
 * 'pending' document that the registration completes.
 */
export function evolveModelDoc(current: ModelDoc | undefined, event: RecordedEvent): ModelDoc {
  const touch: Touch = { updatedAt: event.metadata.occurredAt, updatedBy: event.metadata.actor };
  const e = { type: event.type, data: event.data } as ModelEvent | ModelVersionEvent;
  if (e.type === 'ModelRegistered') {
    return {
      id: e.data.modelId,
      modelId: e.data.modelId,
      name: e.data.name,
      description: e.data.description,
      tags: e.data.tags,
      aliases: current?.aliases ?? {},
      latestVersion: current?.latestVersion ?? 0,
      versionCount: current?.versionCount ?? 0,
      createdAt: event.metadata.occurredAt,
      createdBy: event.metadata.actor,
      status: 'active',
      ...withAccess(current?.access ?? OPEN_MODEL_ACCESS),
      ...touch,
    };
  }
  const doc = current ?? placeholder(e.data.modelId, event.metadata.occurredAt, event.metadata.actor);
  switch (e.type) {
    case 'ModelDescriptionChanged':
      return { ...doc, description: e.data.description, ...touch };
    case 'ModelRenamed':
      return { ...doc, name: e.data.to, ...touch };
    case 'ModelTagSet':
      return { ...doc, tags: { ...doc.tags, [e.data.key]: e.data.value }, ...touch };
    case 'ModelTagRemoved':
      return { ...doc, tags: omit(doc.tags, e.data.key), ...touch };
    case 'ModelVersionNumberAllocated':
      return { ...doc, latestVersion: Math.max(doc.latestVersion, e.data.version) };
    case 'AliasAssigned':
      return { ...doc, aliases: { ...doc.aliases, [e.data.alias]: e.data.version }, ...touch };
    case 'AliasRemoved':
      return { ...doc, aliases: omit(doc.aliases, e.data.alias), ...touch };
    case 'ModelDeleted':
      return { ...doc, status: 'deleted', deletedAt: event.metadata.occurredAt, deletedBy: event.metadata.actor, ...touch };
    case 'ModelRestored': {
      const { deletedAt: _at, deletedBy: _by, ...live } = doc;
      return { ...live, name: e.data.name, status: 'active', ...touch };
    }
    case 'ModelAccessGranted':
    case 'ModelAccessRevoked':
    case 'ModelVisibilityChanged':
      return { ...doc, ...withAccess(evolveModelAccess(doc.access ?? OPEN_MODEL_ACCESS, e)), ...touch };
    case 'ModelVersionCreated':
      return { ...doc, versionCount: doc.versionCount + 1 };
    case 'ModelVersionDeleted':
      return { ...doc, versionCount: Math.max(0, doc.versionCount - 1) };
    case 'ModelVersionDescriptionChanged':
    case 'ModelVersionTagSet':
    case 'ModelVersionTagRemoved':
    case 'ModelVersionStageChanged':
    case 'ModelVersionStageChangeRefused':
      return doc;
    default:
      return unknownEvent(e, doc);
  }
}

function withAccess(access: ModelAccess): Pick<ModelDoc, 'access' | 'readers'> {
  return { access, readers: readersOf(access) };
}

function omit<V>(record: Readonly<Record<string, V>>, key: string): Record<string, V> {
  const copy = { ...record };
  delete copy[key];
  return copy;
}

/** Models as lists and pages show them. */
export class ModelDetailsProjection implements Projection {
  readonly name = READ_MODEL_PROJECTIONS[0].name;
  readonly topics = READ_MODEL_PROJECTIONS[0].topics;

  constructor(private readonly store: ReadStore) {}

  async handle(event: RecordedEvent): Promise<void> {
    const category = streamCategory(event.streamId);
    if (category !== 'model' && category !== 'version') return;
    const modelId = (event.data as { modelId?: unknown }).modelId;
    if (typeof modelId !== 'string') return;
    await this.store.collection<ModelDoc>(COLLECTIONS.models).apply(modelId, event.streamId, event.streamRevision, (doc) => evolveModelDoc(doc, event));
  }
}

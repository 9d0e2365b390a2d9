import { TOPICS, streamCategory } from '@mreg/shared/contracts';
import type { ApiTokenEvent, RecordedEvent, Role } from '@mreg/shared/contracts';
import type { ReadStore } from '@mreg/platform/read-store';
import type { Projection } from '@mreg/platform/runtime';

/** The API tokens' metadata for lists (never the secret's digest): who owns which, what it may do, until when. */
export interface ApiTokenDoc {
  readonly id: string;
  readonly name: string;
  readonly owner: string;
  readonly roles: readonly Role[];
  readonly models?: readonly string[];
  readonly createdAt: string;
  readonly createdBy: string;
  readonly expiresAt: string;
  readonly revokedAt?: string;
  readonly revokedBy?: string;
}

export const API_TOKEN_COLLECTION = 'api_tokens';

/** Pure: the document of a token after one event of its stream (`at`, `by`: the event's time and actor). */
export function evolveApiTokenDoc(doc: ApiTokenDoc | undefined, event: ApiTokenEvent, at: string, by: string): ApiTokenDoc | undefined {
  switch (event.type) {
    case 'ApiTokenCreated': {
      const { tokenId, name, owner, roles, models, expiresAt } = event.data;
      return { id: tokenId, name, owner, roles, ...(models !== undefined ? { models } : {}), createdAt: at, createdBy: by, expiresAt };
    }
    case 'ApiTokenRevoked':
      return doc === undefined ? undefined : { ...doc, revokedAt: at, revokedBy: by };
  }
}

/** The inventory of API tokens (runs wherever governance runs), for `GET /tokens`. */
export class ApiTokenInventoryProjection implements Projection {
  readonly name = 'api-token-inventory';
  readonly topics = [TOPICS.governanceEvents];

  constructor(private readonly store: ReadStore) {}

  async handle(event: RecordedEvent): Promise<void> {
    if (streamCategory(event.streamId) !== 'api-token') return;
    const id = (event.data as { tokenId: string }).tokenId;
    await this.store.collection<ApiTokenDoc>(API_TOKEN_COLLECTION).apply(id, event.streamId, event.streamRevision, (doc) => {
      const next = evolveApiTokenDoc(doc, { type: event.type, data: event.data } as ApiTokenEvent, event.metadata.occurredAt, event.metadata.actor);
      // A revocation before its token was projected fails, and the bus delivers it again.
      if (!next) throw new Error(`API token ${id} not projected yet`);
      return next;
    });
  }
}

/** The inventory as a read model to rebuild from the log (the replay's `others`). */
export const API_TOKEN_READ_MODELS = {
  projections: (store: ReadStore): readonly Projection[] => [new ApiTokenInventoryProjection(store)],
  collections: [API_TOKEN_COLLECTION],
} as const;

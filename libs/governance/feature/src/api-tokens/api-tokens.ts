import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError, apiTokenSecretDigest, formatApiToken, streams } from '@mreg/shared/contracts';
import type { ApiTokenEvent, Principal, Role } from '@mreg/shared/contracts';
import { apiTokenDecider } from '@mreg/governance/domain';
import { EventSourcedRepository } from '@mreg/platform/runtime';
import type { CommandContext } from '@mreg/platform/runtime';
import { READ_STORE } from '@mreg/platform/read-store';
import type { ReadStore } from '@mreg/platform/read-store';
import { ModelLookup } from '@mreg/registration/catalog';
import { decodePageToken, encodePageToken, parsePageSize, queryFingerprint } from '@mreg/shared/query';
import { API_TOKEN_COLLECTION, evolveApiTokenDoc } from './api-token-inventory.projection';
import type { ApiTokenDoc } from './api-token-inventory.projection';

export interface IssueInput {
  readonly name: string;
  readonly roles: readonly Role[];
  /** Model names; the token keeps their ids. */
  readonly models?: readonly string[];
  readonly expiresAt: string;
  readonly owner?: string;
}

export interface ListInput {
  readonly owner?: string;
  readonly pageSize?: string;
  readonly pageToken?: string;
}

const isAdmin = (p: Principal) => p.roles.includes('admin');
const notFound = (tokenId: string) => new DomainError('NOT_FOUND', `API token ${tokenId} not found`, { tokenId });

/**
 * API tokens for machines (decision 33): issued, read and revoked by their owner (or an admin). A token's state is
 * its stream; reads of one token fold it straight from the log, lists come from the inventory read model.
 */
@Injectable()
export class ApiTokens {
  constructor(
    private readonly repository: EventSourcedRepository,
    private readonly lookup: ModelLookup,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}

  /** Issues a token; the answer carries the token itself, which is never shown again. */
  async issue(input: IssueInput, ctx: CommandContext): Promise<{ token: string; metadata: ApiTokenDoc }> {
    const tokenId = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    // Only models the issuer may read (NOT_FOUND otherwise, as for a missing one); the token's own use is checked
    // again on every request, against its owner's grants at that moment.
    const models = input.models === undefined ? undefined : await Promise.all(input.models.map(async (name) => (await this.lookup.authorize(name, ctx.principal, 'read')).modelId));
    await this.repository.handle(
      streams.apiToken(tokenId),
      apiTokenDecider,
      {
        type: 'IssueApiToken',
        data: {
          tokenId,
          name: input.name,
          owner: input.owner ?? ctx.principal.user,
          roles: input.roles,
          ...(models !== undefined ? { models: [...new Set(models)] } : {}),
          expiresAt: new Date(Date.parse(input.expiresAt)).toISOString(),
          secretSha256: apiTokenSecretDigest(secret),
          issuer: ctx.principal,
          now: new Date().toISOString(),
        },
      },
      ctx,
    );
    return { token: formatApiToken(tokenId, secret), metadata: await this.get(tokenId, ctx.principal) };
  }

  async revoke(tokenId: string, ctx: CommandContext): Promise<void> {
    await this.repository.handle(streams.apiToken(tokenId), apiTokenDecider, { type: 'RevokeApiToken', data: { tokenId, by: ctx.principal } }, ctx);
  }

  /** One token's metadata, from its stream (404 when unknown, or not the caller's and the caller is no admin). */
  async get(tokenId: string, principal: Principal): Promise<ApiTokenDoc> {
    const events = await this.repository.events<ApiTokenEvent>(streams.apiToken(tokenId));
    const doc = events.reduce<ApiTokenDoc | undefined>((d, e) => evolveApiTokenDoc(d, { type: e.type, data: e.data } as ApiTokenEvent, e.metadata.occurredAt, e.metadata.actor), undefined);
    if (doc === undefined || (doc.owner !== principal.user && !isAdmin(principal))) throw notFound(tokenId);
    return doc;
  }

  /** A page of tokens, newest first: the caller's own, or — for an admin — everyone's or one owner's. */
  async list(input: ListInput, principal: Principal): Promise<{ items: ApiTokenDoc[]; nextPageToken: string | null }> {
    const owner = input.owner ?? (isAdmin(principal) ? undefined : principal.user);
    if (owner !== principal.user && !isAdmin(principal)) throw new DomainError('PERMISSION_DENIED', "only an admin lists other users' tokens");
    const limit = parsePageSize(input.pageSize, { default: 50, max: 200 });
    const fingerprint = queryFingerprint(['api-tokens', owner ?? '*']);
    const after = input.pageToken === undefined || input.pageToken === '' ? undefined : decodePageToken(input.pageToken, fingerprint);
    const page = await this.readStore.collection<ApiTokenDoc>(API_TOKEN_COLLECTION).find({
      ...(owner !== undefined ? { filter: { kind: 'compare', field: { name: 'owner', path: ['owner'], type: 'string' }, op: '=', value: owner } } : {}),
      sort: { field: { name: 'createdAt', path: ['createdAt'], type: 'timestamp' }, direction: 'desc' },
      limit,
      ...(after !== undefined ? { after } : {}),
    });
    return { items: page.items, nextPageToken: page.next === undefined ? null : encodePageToken(page.next, fingerprint) };
  }
}

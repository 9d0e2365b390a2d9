import { NO_API_TOKEN, apiTokenSecretMatches, evolveApiToken, parseApiToken, streams } from '@mreg/shared/contracts';
import type { ApiTokenEvent, ApiTokenState, Principal, RecordedEvent } from '@mreg/shared/contracts';
import type { EventStore } from '@mreg/platform/event-store';
import { ApiError } from '../http/api-error';

/**
 * API tokens for machines (decision 33), as every service authenticates them: the token names its stream, which
 * is read from the log on every request — no cache — so a token revoked a moment ago, through any service, is
 * refused by all of them at once. The secret is compared with the recorded digest in constant time.
 */
export class ApiTokenCredentials {
  constructor(private readonly log: EventStore) {}

  /** Whether a bearer value is shaped like an API token (then it is one, or nothing). */
  static isApiToken(presented: string): boolean {
    return parseApiToken(presented) !== undefined;
  }

  /** The token's principal: its owner, its roles and its models; UNAUTHENTICATED when unknown, revoked or expired. */
  async principalOf(presented: string, now = Date.now()): Promise<Principal> {
    const parsed = parseApiToken(presented);
    const refused = () => new ApiError('UNAUTHENTICATED', 'unknown or revoked token');
    if (parsed === undefined) throw refused();
    const events = (await this.log.readStream(streams.apiToken(parsed.tokenId))) as RecordedEvent<ApiTokenEvent>[];
    const token: ApiTokenState = events.reduce((state, e) => evolveApiToken(state, { type: e.type, data: e.data } as ApiTokenEvent), NO_API_TOKEN);
    if (token.status !== 'active' || !apiTokenSecretMatches(parsed.secret, token.secretSha256)) throw refused();
    if (Date.parse(token.expiresAt) <= now) throw new ApiError('UNAUTHENTICATED', 'token refused: expired');
    return { user: token.owner, roles: token.roles, ...(token.models !== undefined ? { models: token.models } : {}) };
  }
}

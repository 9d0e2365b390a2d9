import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Type } from '@nestjs/common';
import { EVENT_BUS } from '@mreg/platform/event-bus';
import type { EventBus, InboundMessage } from '@mreg/platform/event-bus';
import { WrongExpectedRevisionError } from '@mreg/platform/event-store';
import { READ_STORE } from '@mreg/platform/read-store';
import type { ReadStore } from '@mreg/platform/read-store';
import { REJECTION_CODES, cloudEventIdOf, headerOf, parseCloudEvent } from '@mreg/shared/contracts';
import type { MessageRejectedV1, Principal, ReceivedCloudEvent, RejectionCode, Role } from '@mreg/shared/contracts';
import { Authenticator } from '../auth/authenticator';
import { hasAnyRole } from '../auth/token-registry';
import { MregConfig } from '../config/mreg.config';
import type { CommandContext } from '../event-sourcing/command-context';
import { ApiError } from '../http/api-error';
import { toEnvelope } from '../http/error-envelope.filter';
import { MAX_JSON_DEPTH, nestsDeeperThan, reservedKeyIn, validationPipe } from '../http/http-app';

/** What one inbound topic accepts, who may send it, and where refusals go. */
export interface InboundEndpoint {
  /** The one CloudEvents type accepted. */
  readonly type: string;
  /** Any of these roles may send it (admin always may): the rule of the equivalent HTTP route. */
  readonly roles: readonly Role[];
  readonly rejections: {
    readonly topic: string;
    /** CloudEvents type of the rejection messages. */
    readonly type: string;
    /** CloudEvents source of the rejection messages, e.g. `/mreg/registration`. */
    readonly source: string;
  };
  /**
   * Deduplicate by CloudEvents id: a message whose id its principal already sent (handled or refused) changes
   * nothing and is not answered again. The ids are kept in this read-store collection.
   */
  readonly dedupe?: { readonly collection: string };
}

/** A message that passed the gate: a well-formed CloudEvent of the endpoint's type from an authorized principal. */
export interface AdmittedMessage {
  readonly message: InboundMessage;
  readonly event: ReceivedCloudEvent;
  readonly principal: Principal;
  /** The principal, and the CloudEvents id as correlation id (it ends up in every event's metadata). */
  readonly context: CommandContext;
}

export type InboundOutcome = 'handled' | 'rejected' | 'duplicate';

/** A message id remembered for deduplication. */
export interface ProcessedMessageDoc {
  readonly messageId: string;
  readonly user: string;
  readonly outcome: 'handled' | 'rejected';
  readonly code?: RejectionCode;
  readonly at: string;
}

const MAX_REASON = 1000;

/**
 * The way in for integration traffic (docs/design.md §5): the HTTP rules applied to a Kafka message. The
 * `authorization: Bearer <token>` header is resolved by the same Authenticator as the HTTP guard
 * (nothing in the payload names the actor), the endpoint's roles are checked like a route's, the value must
 * be a CloudEvent of the endpoint's type within the HTTP body limit, and the data is validated by the HTTP
 * validation pipe. A client mistake — there, or a 4xx the handler raises (DomainError, ApiError) — becomes a
 * rejection message and changes nothing; anything else is a fault of ours and is thrown, so the bus retries
 * and finally dead-letters the message.
 */
@Injectable()
export class InboundGate {
  private readonly logger = new Logger('Inbound');

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly authenticator: Authenticator,
    private readonly config: MregConfig,
  ) {}

  async process(message: InboundMessage, endpoint: InboundEndpoint, handle: (admitted: AdmittedMessage) => Promise<void>): Promise<InboundOutcome> {
    const receivedAt = new Date().toISOString();
    const messageId = cloudEventIdOf(message) ?? null;
    const refuse = (error: unknown, user?: string): Promise<InboundOutcome> => this.refuse(message, endpoint, messageId, receivedAt, error, user);

    if (Buffer.byteLength(message.value, 'utf8') > this.config.maxJsonBytes) {
      return refuse(new ApiError('PAYLOAD_TOO_LARGE', `the message value exceeds ${this.config.maxJsonBytes} bytes`));
    }
    let principal: Principal;
    try {
      principal = await this.authenticator.authenticate(headerOf(message.headers, 'authorization'));
    } catch (error: unknown) {
      // The identity provider out of reach is no mistake of the sender's: the bus retries the message.
      if (!isClientMistake(error)) throw error;
      // Never remembered: an anonymous sender must not be able to use up someone's message ids.
      return refuse(error);
    }
    if (await this.seen(endpoint, principal.user, messageId)) {
      this.logger.debug(`ignored a repeated message ${messageId ?? ''} on ${message.topic}`);
      return 'duplicate';
    }
    if (!hasAnyRole(principal, endpoint.roles)) {
      return refuse(new ApiError('PERMISSION_DENIED', `requires one of the roles: ${endpoint.roles.join(', ')}`), principal.user);
    }
    const parsed = parseCloudEvent(message, endpoint.type);
    if (!parsed.ok) return refuse(new ApiError(parsed.code, parsed.reason), principal.user);
    if (nestsDeeperThan(parsed.event.data)) return refuse(new ApiError('INVALID_ARGUMENT', `the message data nests deeper than ${MAX_JSON_DEPTH} levels`), principal.user);
    const reserved = reservedKeyIn(parsed.event.data);
    if (reserved !== undefined) return refuse(new ApiError('INVALID_ARGUMENT', `the key "${reserved}" is not allowed in a message`), principal.user);

    const context: CommandContext = { principal, correlationId: parsed.event.id };
    try {
      await handle({ message, event: parsed.event, principal, context });
    } catch (error: unknown) {
      if (!isClientMistake(error)) throw error;
      return refuse(error, principal.user);
    }
    await this.remember(endpoint, principal.user, messageId, { outcome: 'handled' });
    return 'handled';
  }

  /** Validates data exactly as an HTTP body: whitelist, forbid unknown properties, the DTO's rules (INVALID_ARGUMENT). */
  async validate<T extends object>(metatype: Type<T>, data: unknown): Promise<T> {
    return (await validationPipe.transform(data, { type: 'body', metatype })) as T;
  }

  private async refuse(message: InboundMessage, endpoint: InboundEndpoint, messageId: string | null, receivedAt: string, error: unknown, user?: string): Promise<InboundOutcome> {
    const { body } = toEnvelope(error);
    const code: RejectionCode = (REJECTION_CODES as readonly string[]).includes(body.error.code) ? (body.error.code as RejectionCode) : 'INVALID_ARGUMENT';
    const rejection: MessageRejectedV1 = {
      code,
      reason: body.error.message.slice(0, MAX_REASON),
      ...(body.error.details !== undefined ? { details: body.error.details } : {}),
      messageId,
      topic: message.topic,
      key: message.key,
      receivedAt,
    };
    const traceparent = headerOf(message.headers, 'traceparent');
    // Keyed like the refused message; none of its headers are copied (its token stays where it was).
    await this.bus.publishRaw([
      {
        topic: endpoint.rejections.topic,
        key: message.key,
        value: JSON.stringify(rejection),
        headers: {
          ce_specversion: '1.0',
          ce_id: randomUUID(),
          ce_source: endpoint.rejections.source,
          ce_type: endpoint.rejections.type,
          ce_time: receivedAt,
          ...(messageId !== null ? { ce_subject: messageId } : {}),
          'content-type': 'application/json',
          ...(traceparent !== undefined ? { traceparent } : {}),
        },
      },
    ]);
    this.logger.debug(`refused message ${messageId ?? '(no id)'} on ${message.topic}: ${code} ${rejection.reason}`);
    if (user !== undefined) await this.remember(endpoint, user, messageId, { outcome: 'rejected', code });
    return 'rejected';
  }

  private async seen(endpoint: InboundEndpoint, user: string, messageId: string | null): Promise<boolean> {
    if (!endpoint.dedupe || messageId === null) return false;
    return (await this.readStore.collection<ProcessedMessageDoc>(endpoint.dedupe.collection).get(processedId(user, messageId))) !== undefined;
  }

  private async remember(endpoint: InboundEndpoint, user: string, messageId: string | null, outcome: Pick<ProcessedMessageDoc, 'outcome' | 'code'>): Promise<void> {
    if (!endpoint.dedupe || messageId === null) return;
    const doc: ProcessedMessageDoc = { messageId, user, ...outcome, at: new Date().toISOString() };
    // Revision 0 of a stream of its own: the first outcome recorded stays.
    await this.readStore.collection<ProcessedMessageDoc>(endpoint.dedupe.collection).apply(processedId(user, messageId), 'processed-message', 0, () => doc);
  }
}

/** Ids are scoped by principal (user names never contain "/"), so one sender cannot shadow another's ids. */
function processedId(user: string, messageId: string): string {
  return `${user}/${messageId}`;
}

/** A 4xx as HTTP would answer it; a lost append race (STALE_REVISION) is retried instead, nothing was written. */
function isClientMistake(error: unknown): boolean {
  if (error instanceof WrongExpectedRevisionError) return false;
  return toEnvelope(error).status < 500;
}

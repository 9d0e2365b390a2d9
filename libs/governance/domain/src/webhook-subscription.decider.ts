import { BlockList, isIP } from 'node:net';
import type { Command, Decider, WebhookEvent, WebhookSettings } from '@mreg/shared/contracts';
import { DomainError, PUBLIC_EVENT_ENTRIES, unknownCommand, unknownEvent } from '@mreg/shared/contracts';
import { canonicalAddress, hasBidiControl, hasControlChars, refusedRange } from '@mreg/shared/util';

// Stream webhook-<subscriptionId>: where the registry POSTs its events, which of them, and with which secret.

export const WEBHOOK_URL_MAX = 2048;
export const WEBHOOK_DESCRIPTION_MAX = 500;
export const WEBHOOK_EVENT_TYPES_MAX = 100;

/** Every CloudEvents type a subscription may ask for: the public events' (io.mreg.<context>.<Type>.v<n>). */
export const WEBHOOK_EVENT_TYPES: readonly string[] = PUBLIC_EVENT_ENTRIES.map((entry) => entry.ceType);
const KNOWN_TYPES: ReadonlySet<string> = new Set(WEBHOOK_EVENT_TYPES);

/** What an admin allows beyond the public internet (MREG_WEBHOOK_ALLOW_HTTP_LOOPBACK, MREG_WEBHOOK_ALLOWED_RANGES). */
export interface WebhookTargetPolicy {
  /** The loopback (127.0.0.0/8, ::1, localhost) may be a target, over http too: for tests on one machine. */
  readonly allowLoopback: boolean;
  /** Ranges reachable whatever else they are (an allow-list of CIDRs); loopback included when allowLoopback. */
  readonly allowed: BlockList;
}

const LOOPBACK_NAMES = /^(localhost|.*\.localhost)$/;

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Whether an address (any spelling) is on the loopback: 127.0.0.0/8 (IPv4-mapped forms included) or ::1. */
export function isLoopbackAddress(address: string): boolean {
  const canonical = canonicalAddress(address);
  return canonical !== undefined && LOOPBACK.check(canonical, isIP(canonical) === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Why an address may not be connected to (a refused range, in any spelling), or undefined. The loopback is allowed
 * only by `allowLoopback`, other ranges by the allow-list. Used at subscription time for literal addresses and at
 * delivery time for every address a name resolved to.
 */
export function refusedAddress(address: string, policy: WebhookTargetPolicy): string | undefined {
  if (policy.allowLoopback && isLoopbackAddress(address)) return undefined;
  const refused = refusedRange(address, policy.allowed);
  return refused === undefined ? undefined : `${address} is in a refused range: ${refused}`;
}

/**
 * Why a URL may not be a webhook target, or undefined: https only (http to the loopback where allowed), no
 * credentials, no fragment, and a host that is neither a refused address in any spelling a URL accepts (decimal, hex,
 * octal, short, IPv4-mapped) nor a name of the loopback. Names are resolved, and their addresses judged, at delivery.
 */
export function webhookUrlProblem(value: string, policy: WebhookTargetPolicy): string | undefined {
  if (value.length > WEBHOOK_URL_MAX) return `url is longer than ${WEBHOOK_URL_MAX} characters`;
  if (/\s/.test(value) || hasControlChars(value) || hasBidiControl(value)) return 'url must not contain whitespace, control or bidirectional characters';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'url must be an absolute https URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'url must be an https URL';
  if (url.username !== '' || url.password !== '' || /^[a-z]+:\/\/[^/?#]*@/i.test(value)) return 'url must not carry credentials (user-info before "@")';
  if (value.includes('#')) return 'url must not have a fragment';
  // The parser has already read 0x7f.1, 2130706433 and 0177.0.0.1 as 127.0.0.1 and bracketed IPv6 as written.
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (host === '') return 'url must name a host';
  const literal = canonicalAddress(host);
  const loopback = literal !== undefined ? isLoopbackAddress(literal) : LOOPBACK_NAMES.test(host);
  if (url.protocol === 'http:' && !(policy.allowLoopback && loopback)) return 'url must be an https URL (plain http is refused)';
  if (literal !== undefined) return refusedAddress(literal, policy) === undefined ? undefined : `url host ${host} is in a refused range: ${refusedRange(literal, policy.allowed) ?? 'refused'}`;
  if (loopback && !policy.allowLoopback) return `url host ${host} is the loopback`;
  return undefined;
}

/** The event types, checked: 1..100, each a public event's CloudEvents type, each once. */
export function validateWebhookEventTypes(types: readonly string[]): readonly string[] {
  if (types.length === 0) throw new DomainError('INVALID_ARGUMENT', 'eventTypes must name at least one event type');
  if (types.length > WEBHOOK_EVENT_TYPES_MAX) throw new DomainError('INVALID_ARGUMENT', `eventTypes names at most ${WEBHOOK_EVENT_TYPES_MAX} event types`);
  const unknown = types.find((type) => !KNOWN_TYPES.has(type));
  if (unknown !== undefined) throw new DomainError('INVALID_ARGUMENT', `eventTypes: ${JSON.stringify(unknown.slice(0, 200))} is not a public event type (io.mreg.<context>.<Type>.v<n>)`, { eventType: unknown.slice(0, 200) });
  if (new Set(types).size !== types.length) throw new DomainError('INVALID_ARGUMENT', 'eventTypes names an event type twice');
  return types;
}

export type CreateWebhook = Command<'CreateWebhook', { subscriptionId: string; scopeModelId?: string; settings: WebhookSettings; enabled: boolean }>;
/** Changes what it names; `enabled` false disables it as requested by a manager. */
export type ChangeWebhook = Command<'ChangeWebhook', { settings: Partial<WebhookSettings>; enabled?: boolean }>;
/** A new secret generation; the current one keeps signing beside it until `now + overlapMs`. */
export type RotateWebhookSecret = Command<'RotateWebhookSecret', { now: string; overlapMs: number }>;
/** The registry gives up on a failing target (a no-op when it is disabled or gone already). */
export type DisableFailingWebhook = Command<'DisableFailingWebhook', { detail: string }>;
export type DeleteWebhook = Command<'DeleteWebhook'>;
export type WebhookCommand = CreateWebhook | ChangeWebhook | RotateWebhookSecret | DisableFailingWebhook | DeleteWebhook;

export interface WebhookSubscriptionState extends WebhookSettings {
  readonly exists: boolean;
  readonly deleted: boolean;
  readonly subscriptionId: string;
  readonly scopeModelId?: string;
  readonly enabled: boolean;
  readonly disabled?: { readonly reason: 'requested' | 'failing'; readonly detail: string };
  readonly secretGeneration: number;
  /** The generation that still signs beside the current one, until `previousSecretExpiresAt`. */
  readonly previousSecretGeneration?: number;
  readonly previousSecretExpiresAt?: string;
}

export const initialWebhookState: WebhookSubscriptionState = { exists: false, deleted: false, subscriptionId: '', url: '', eventTypes: [], description: '', enabled: false, secretGeneration: 0 };

function scope(state: WebhookSubscriptionState): { subscriptionId: string; scopeModelId?: string } {
  return { subscriptionId: state.subscriptionId, ...(state.scopeModelId !== undefined ? { scopeModelId: state.scopeModelId } : {}) };
}

function requireLive(state: WebhookSubscriptionState): void {
  if (!state.exists || state.deleted) throw new DomainError('NOT_FOUND', 'webhook subscription not found');
}

function sameSettings(a: WebhookSettings, b: WebhookSettings): boolean {
  return a.url === b.url && a.description === b.description && a.eventTypes.length === b.eventTypes.length && a.eventTypes.every((type, i) => type === b.eventTypes[i]);
}

export const webhookSubscriptionDecider = {
  initialState: initialWebhookState,

  decide(command: WebhookCommand, state: WebhookSubscriptionState): readonly WebhookEvent[] {
    switch (command.type) {
      case 'CreateWebhook': {
        if (state.exists) throw new DomainError('ALREADY_EXISTS', 'webhook subscription already exists');
        const { subscriptionId, scopeModelId, settings, enabled } = command.data;
        validateWebhookEventTypes(settings.eventTypes);
        const data = { subscriptionId, ...(scopeModelId !== undefined ? { scopeModelId } : {}), url: settings.url, eventTypes: [...settings.eventTypes], description: settings.description, enabled, secretGeneration: 1 };
        return [{ type: 'WebhookSubscribed', data }];
      }
      case 'ChangeWebhook': {
        requireLive(state);
        const next: WebhookSettings = { url: command.data.settings.url ?? state.url, eventTypes: command.data.settings.eventTypes ?? state.eventTypes, description: command.data.settings.description ?? state.description };
        validateWebhookEventTypes(next.eventTypes);
        const events: WebhookEvent[] = [];
        if (!sameSettings(next, state)) events.push({ type: 'WebhookSubscriptionChanged', data: { ...scope(state), url: next.url, eventTypes: [...next.eventTypes], description: next.description } });
        if (command.data.enabled === true && !state.enabled) events.push({ type: 'WebhookEnabled', data: scope(state) });
        if (command.data.enabled === false && state.enabled) events.push({ type: 'WebhookDisabled', data: { ...scope(state), reason: 'requested', detail: 'disabled by a manager' } });
        return events;
      }
      case 'RotateWebhookSecret': {
        requireLive(state);
        const previousExpiresAt = new Date(Date.parse(command.data.now) + command.data.overlapMs).toISOString();
        return [{ type: 'WebhookSecretRotated', data: { ...scope(state), generation: state.secretGeneration + 1, previousGeneration: state.secretGeneration, previousExpiresAt } }];
      }
      case 'DisableFailingWebhook':
        if (!state.exists || state.deleted || !state.enabled) return [];
        return [{ type: 'WebhookDisabled', data: { ...scope(state), reason: 'failing', detail: command.data.detail } }];
      case 'DeleteWebhook':
        requireLive(state);
        return [{ type: 'WebhookDeleted', data: scope(state) }];
      default:
        return unknownCommand(command);
    }
  },

  evolve(state: WebhookSubscriptionState, event: WebhookEvent): WebhookSubscriptionState {
    switch (event.type) {
      case 'WebhookSubscribed': {
        const { subscriptionId, scopeModelId, url, eventTypes, description, enabled, secretGeneration } = event.data;
        return { ...initialWebhookState, exists: true, subscriptionId, ...(scopeModelId !== undefined ? { scopeModelId } : {}), url, eventTypes, description, enabled, secretGeneration };
      }
      case 'WebhookSubscriptionChanged':
        return { ...state, url: event.data.url, eventTypes: event.data.eventTypes, description: event.data.description };
      case 'WebhookEnabled': {
        const { disabled: _disabled, ...rest } = state;
        return { ...rest, enabled: true };
      }
      case 'WebhookDisabled':
        return { ...state, enabled: false, disabled: { reason: event.data.reason, detail: event.data.detail } };
      case 'WebhookSecretRotated':
        return { ...state, secretGeneration: event.data.generation, previousSecretGeneration: event.data.previousGeneration, previousSecretExpiresAt: event.data.previousExpiresAt };
      case 'WebhookDeleted':
        return { ...state, deleted: true, enabled: false };
      default:
        return unknownEvent(event, state);
    }
  },
} satisfies Decider<WebhookSubscriptionState, WebhookCommand, WebhookEvent>;

/** The secret generations that sign a delivery made at `now`: the current one, and the previous one until it expires. */
export function signingGenerations(state: Pick<WebhookSubscriptionState, 'secretGeneration' | 'previousSecretGeneration' | 'previousSecretExpiresAt'>, now: Date): number[] {
  const previous = state.previousSecretGeneration;
  const live = previous !== undefined && state.previousSecretExpiresAt !== undefined && now.getTime() < Date.parse(state.previousSecretExpiresAt);
  return live ? [state.secretGeneration, previous] : [state.secretGeneration];
}

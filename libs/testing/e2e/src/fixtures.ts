import { createHash } from 'node:crypto';
import { uniqueName } from './registry-client';
import type { RegistryClient, Reply } from './registry-client';
import { ERROR_CODES } from '@mreg/shared/contracts';
import type { ErrorCode, Stage, TransitionStatus } from '@mreg/shared/contracts';

// Shared vocabulary of the scenarios: the API's resource shapes (as seen over HTTP, no app imports; the codes,
// stages and statuses are the public contract's), the error envelope checks and a few
// builders. Everything here speaks HTTP only, so it runs against any topology.

export const API = '/api/v1';

export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string; readonly details?: unknown };
}

export interface ModelBody {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly tags: Record<string, string>;
  readonly aliases: Record<string, number>;
  readonly latestVersion: number | null;
  readonly versionCount: number;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

export interface Dataset {
  readonly name: string;
  readonly uri: string;
  readonly digest?: string;
}

export interface VersionBody {
  readonly model: string;
  readonly modelId: string;
  readonly version: number;
  readonly description: string;
  readonly stage: Stage;
  readonly status: string;
  readonly source: string | null;
  readonly runId: string | null;
  readonly loggedModelId: string | null;
  readonly params: Record<string, string>;
  readonly metrics: Record<string, number>;
  readonly tags: Record<string, string>;
  readonly lineage: { readonly datasets: Dataset[]; readonly codeRepository?: string; readonly codeCommit?: string; readonly pipeline?: string };
  readonly signature: Record<string, unknown> | null;
  readonly aliases: string[];
  readonly artifacts: { readonly count: number; readonly totalBytes: number; readonly sealed: boolean };
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
  readonly stageChangedAt: string | null;
}

export interface TransitionBody {
  readonly id: string;
  readonly model: string;
  readonly modelId: string;
  readonly version: number;
  readonly fromStage: Stage;
  readonly toStage: Stage;
  readonly status: TransitionStatus;
  readonly archiveExisting: boolean;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly comment: string;
  readonly policy: { readonly requiredApprovals: number; readonly approverRole: string };
  readonly approvals: { readonly by: string; readonly at: string; readonly comment: string }[];
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly decisionComment: string | null;
  readonly appliedAt: string | null;
  readonly failureReason: string | null;
  readonly updatedAt: string;
}

export interface HistoryEntry {
  readonly eventId: string;
  readonly modelId: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly actor: string;
  readonly stream: string;
  readonly revision: number;
  readonly version: number | null;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly data: Record<string, unknown>;
  readonly hash: string;
  readonly prevHash: string;
}

export interface ArtifactBody {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  readonly contentType: string;
  readonly digest: string;
}

export interface ManifestBody {
  readonly model: string;
  readonly version: number;
  readonly sealed: boolean;
  readonly totalSize: number;
  readonly items: ArtifactBody[];
}

export interface StageRule {
  readonly requiredApprovals: number;
  readonly approverRole: string;
}
export interface AliasProtectionBody {
  readonly stage: Stage;
  readonly role: string;
}
export type ApprovalPolicyBody = Record<Stage, StageRule> & { readonly protectedAliases: Readonly<Record<string, AliasProtectionBody>> };
export interface PolicyBody {
  readonly model: string;
  readonly policy: ApprovalPolicyBody;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextPageToken: string | null;
}

export const DEFAULT_POLICY: ApprovalPolicyBody = {
  development: { requiredApprovals: 0, approverRole: 'approver' },
  staging: { requiredApprovals: 1, approverRole: 'approver' },
  production: { requiredApprovals: 1, approverRole: 'approver' },
  archived: { requiredApprovals: 0, approverRole: 'approver' },
  protectedAliases: {},
};

/** `?a=1&b=2` with every value URL-encoded (empty string when there are none). */
export function query(params: Readonly<Record<string, string | number>>): string {
  const entries = Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]);
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries).toString()}`;
}

export const modelPath = (name: string) => `${API}/models/${encodeURIComponent(name)}`;
export const versionPath = (name: string, version: number | string) => `${modelPath(name)}/versions/${version}`;

/** Status check that shows the whole reply when it fails. */
export function expectStatus(reply: Pick<Reply<unknown>, 'status' | 'body'>, status: number): void {
  expect({ status: reply.status, body: reply.body }).toEqual({ status, body: reply.body });
}

/** A 4xx/5xx reply in the one error envelope, with the given status and (when given) code. */
export function expectError(reply: Pick<Reply<unknown>, 'status' | 'body'>, status: number, code?: ErrorCode): void {
  expect({ status: reply.status, body: reply.body }).toMatchObject({
    status,
    body: { error: { code: code ?? expect.any(String), message: expect.any(String) } },
  });
  const error = (reply.body as ErrorBody).error;
  expect(ERROR_CODES).toContain(error.code);
  expect(error.message.length).toBeGreaterThan(0);
  const keys = Object.keys(reply.body as object);
  expect(keys).toEqual(['error']);
}

/** A client mistake: some 4xx, never a 5xx, always the envelope. */
export function expectClientError(reply: Pick<Reply<unknown>, 'status' | 'body'>): void {
  expect({ status: reply.status, body: reply.body }).toMatchObject({
    status: expect.any(Number),
    body: { error: { code: expect.any(String), message: expect.any(String) } },
  });
  if (reply.status < 400 || reply.status > 499) {
    throw new Error(`expected a 4xx, got ${reply.status}: ${JSON.stringify(reply.body).slice(0, 500)}`);
  }
  expect(ERROR_CODES).toContain((reply.body as ErrorBody).error.code);
}

export async function createModel(c: RegistryClient, name: string, extra: Readonly<Record<string, unknown>> = {}): Promise<ModelBody> {
  const reply = await c.post<ModelBody>(`${API}/models`, { name, ...extra });
  expectStatus(reply, 201);
  return reply.body;
}

export interface AccessBody {
  readonly visibility: 'registry' | 'private';
  readonly grants: readonly { readonly subject: string; readonly permission: 'read' | 'write' | 'manage' }[];
}

/** Gives `subject` (`user:<name>`, `group:<name>`) a permission on the model, as `by` (who must manage it). */
export async function grant(by: RegistryClient, name: string, subject: string, permission: 'read' | 'write' | 'manage'): Promise<AccessBody> {
  const reply = await by.put<AccessBody>(`${modelPath(name)}/access/grants`, { subject, permission });
  expectStatus(reply, 200);
  return reply.body;
}

export async function createVersion(c: RegistryClient, name: string, body: Readonly<Record<string, unknown>> = {}): Promise<VersionBody> {
  const reply = await c.post<VersionBody>(`${modelPath(name)}/versions`, body);
  expectStatus(reply, 201);
  return reply.body;
}

export async function getModel(c: RegistryClient, name: string): Promise<ModelBody> {
  const reply = await c.get<ModelBody>(modelPath(name));
  expectStatus(reply, 200);
  return reply.body;
}

export async function getVersion(c: RegistryClient, name: string, version: number): Promise<VersionBody> {
  const reply = await c.get<VersionBody>(versionPath(name, version));
  expectStatus(reply, 200);
  return reply.body;
}

/** Requests a stage change (expects 201) and returns the request as the registry answered it. */
export async function requestTransition(c: RegistryClient, name: string, version: number, stage: Stage, extra: Readonly<Record<string, unknown>> = {}): Promise<TransitionBody> {
  const reply = await c.post<TransitionBody>(`${versionPath(name, version)}/transitions`, { stage, ...extra });
  expectStatus(reply, 201);
  return reply.body;
}

export async function approve(c: RegistryClient, transitionId: string, comment?: string): Promise<TransitionBody> {
  const reply = await c.post<TransitionBody>(`${API}/transitions/${transitionId}/approve`, comment === undefined ? {} : { comment });
  expectStatus(reply, 200);
  return reply.body;
}

/** Moves a version to `stage` under the default policy: requested by `requester`, approved by `approver` when needed. */
export async function promote(requester: RegistryClient, approver: RegistryClient, name: string, version: number, stage: Stage, extra: Readonly<Record<string, unknown>> = {}): Promise<TransitionBody> {
  const requested = await requestTransition(requester, name, version, stage, extra);
  const done = requested.status === 'pending' ? await approve(approver, requested.id) : requested;
  expect(done.status).toBe('applied');
  return done;
}

/**
 * Walks every page of a list endpoint. Asserts the paging contract on the way: no page larger than asked,
 * a token on every page but the last, and no item seen twice (by `key`).
 */
export async function listAll<T>(c: RegistryClient, path: string, params: Readonly<Record<string, string | number>>, key: (item: T) => string): Promise<{ items: T[]; pages: number[] }> {
  const items: T[] = [];
  const pages: number[] = [];
  const seen = new Set<string>();
  let token: string | null = null;
  const size = params['pageSize'] === undefined ? undefined : Number(params['pageSize']);
  for (let i = 0; i < 1000; i++) {
    const reply: Reply<Page<T>> = await c.get<Page<T>>(`${path}${query({ ...params, ...(token ? { pageToken: token } : {}) })}`);
    expectStatus(reply, 200);
    const page = reply.body;
    if (size !== undefined) expect(page.items.length).toBeLessThanOrEqual(size);
    for (const item of page.items) {
      const k = key(item);
      if (seen.has(k)) throw new Error(`item ${k} returned twice while paging ${path}`);
      seen.add(k);
      items.push(item);
    }
    pages.push(page.items.length);
    token = page.nextPageToken;
    if (token === null) return { items, pages };
    expect(typeof token).toBe('string');
  }
  throw new Error(`more than 1000 pages at ${path}`);
}

export async function historyOf(c: RegistryClient, name: string, params: Readonly<Record<string, string | number>> = {}): Promise<HistoryEntry[]> {
  return (await listAll<HistoryEntry>(c, `${modelPath(name)}/history`, { pageSize: 1000, ...params }, (e) => e.eventId)).items;
}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** RFC 9530 `Content-Digest` value for these bytes. */
export function contentDigest(bytes: Buffer): string {
  return `sha-256=:${createHash('sha256').update(bytes).digest('base64')}:`;
}

const clockModels = new Map<string, Promise<string>>();
let ticks = 0;

/**
 * Returns once the registry's clock has passed `instant` (an event time it reported), by making small writes to
 * a scratch model and reading the time they were recorded at. Point-in-time reads then have an instant that
 * cleanly separates "before" from "after", with no sleeping and no assumption about request latency.
 */
export async function afterServerTime(c: RegistryClient, instant: string): Promise<void> {
  let pending = clockModels.get(c.url);
  if (!pending) {
    pending = createModel(c, uniqueName('clock')).then((m) => m.name);
    clockModels.set(c.url, pending);
  }
  const clock = await pending;
  const limit = Date.parse(instant);
  for (let i = 0; i < 10_000; i++) {
    ticks += 1;
    const reply = await c.put<ModelBody>(`${modelPath(clock)}/tags/tick`, { value: String(ticks) });
    expectStatus(reply, 200);
    if (Date.parse(reply.body.updatedAt) > limit) return;
  }
  throw new Error(`the registry's clock did not pass ${instant}`);
}

/** One millisecond before an ISO instant, as ISO. */
export function justBefore(instant: string): string {
  return new Date(Date.parse(instant) - 1).toISOString();
}

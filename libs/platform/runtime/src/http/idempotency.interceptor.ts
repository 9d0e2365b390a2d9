import { createHash } from 'node:crypto';
import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import { catchError, from, mergeMap, of, throwError } from 'rxjs';
import type { Principal } from '@mreg/shared/contracts';
import type { ReadCollection, ReadStore } from '@mreg/platform/read-store';
import { ApiError } from './api-error';
import type { ApiErrorCode } from './api-error';
import { toEnvelope } from './error-envelope.filter';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Visible ASCII, as the IETF draft and every payment API allow, up to 255 characters. */
const KEY = /^[\x21-\x7e]{1,255}$/;
export const IDEMPOTENCY_COLLECTION = 'idempotency_keys';

/** What a request answered: kept to answer its retries. */
interface Outcome {
  readonly status: number;
  readonly body?: unknown;
  readonly error?: { readonly code: ApiErrorCode; readonly message: string; readonly details?: unknown };
  readonly location?: string;
}

/**
 * One Idempotency-Key of one user. Each attempt claims the record (revision 2n: `running`) before it runs and
 * settles it after (revision 2n + 1: `done` with its outcome, or `retryable` after a server error). The claim is
 * written before anything else, so a process that dies between its write and its answer leaves `running`
 * behind, never nothing.
 */
interface IdempotencyRecord {
  readonly user: string;
  /** sha-256 of the method, the path with its query and the JSON body. */
  readonly fingerprint: string;
  readonly state: 'running' | 'done' | 'retryable';
  readonly startedAt: string;
  readonly outcome?: Outcome;
  readonly recordedAt?: string;
}

const RECORD_STREAM = 'idempotency';
/** A claim older than this was left by a process that stopped (requests time out well before). */
const ABANDONED_AFTER_MS = 2 * 60_000;

const requestId = (user: string, key: string) => createHash('sha256').update(`${user}\u0000${key}`).digest('hex');
const fingerprintOf = (req: Request) =>
  createHash('sha256')
    .update(`${req.method} ${req.originalUrl}\n${req.body === undefined ? '' : JSON.stringify(req.body)}`)
    .digest('hex');

/**
 * `Idempotency-Key` on POST: the first request with a key runs; a retry with the same key and the same request
 * gets the first outcome again (status and body, success or client error) without running anything; the same
 * key with another request is 422. Records are kept in the read store (shared by every service, kept across
 * restarts), per user. A retry while the first still runs is 409, and so is one after a process stopped in the
 * middle of the first: its write may have happened, so the key never runs twice. Server errors are not kept as
 * outcomes: the client may retry those with the same key.
 */
export class IdempotencyInterceptor implements NestInterceptor {
  private records?: ReadCollection<IdempotencyRecord>;

  constructor(private readonly readStore: ReadStore) {}

  private collection(): ReadCollection<IdempotencyRecord> {
    this.records ??= this.readStore.collection<IdempotencyRecord>(IDEMPOTENCY_COLLECTION);
    return this.records;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const res = context.switchToHttp().getResponse<Response>();
    const key = req.headers[IDEMPOTENCY_HEADER];
    // An open route's request (the single sign-on exchange) has no user to keep an outcome for, and its outcome (an
    // access token) is not to be stored.
    if (req.method !== 'POST' || key === undefined || req.principal === undefined) return next.handle();
    if (typeof key !== 'string' || !KEY.test(key)) {
      return throwError(() => new ApiError('INVALID_ARGUMENT', 'Idempotency-Key must be 1 to 255 visible ASCII characters'));
    }
    const user = req.principal?.user ?? 'anonymous';
    const id = requestId(user, key);
    const fingerprint = fingerprintOf(req);
    return from(this.claim(id, user, fingerprint)).pipe(
      mergeMap((claim) => {
        if ('replay' in claim) return this.replay(claim.replay, res);
        const settle = (state: 'done' | 'retryable', outcome?: Outcome) =>
          this.collection().apply(id, RECORD_STREAM, claim.revision + 1, (current) => ({
            ...(current as IdempotencyRecord),
            state,
            ...(outcome !== undefined ? { outcome, recordedAt: new Date().toISOString() } : {}),
          }));
        return next.handle().pipe(
          mergeMap(async (body: unknown) => {
            const location = res.getHeader('location');
            await settle('done', { status: res.statusCode, body, ...(typeof location === 'string' ? { location } : {}) });
            return body;
          }),
          catchError((error: unknown) => {
            const { status, body } = toEnvelope(error);
            // Server errors (and load refusals) are not the request's outcome: its retry runs again.
            const settled = status >= 500 || status === 429 ? settle('retryable') : settle('done', { status, error: body.error });
            return from(settled).pipe(mergeMap(() => throwError(() => error)));
          }),
        );
      }),
    );
  }

  /**
   * Claims the key for this attempt (the revision to settle it at), or says what to answer instead: the first
   * outcome, a 422 for another request, a 409 while (or after) another attempt runs.
   */
  private async claim(id: string, user: string, fingerprint: string): Promise<{ revision: number } | { replay: Outcome }> {
    const records = this.collection();
    const current = await records.get(id);
    if (current !== undefined && current.fingerprint !== fingerprint) {
      throw new ApiError('IDEMPOTENCY_MISMATCH', 'this Idempotency-Key was used for another request (method, path or body); use a new key');
    }
    if (current?.state === 'done' && current.outcome !== undefined) return { replay: current.outcome };
    if (current?.state === 'running') throw running(current);
    // Claims are revision-guarded: of two attempts racing for one key, one claims it and the other is told so.
    const revision = current === undefined ? 0 : (await records.appliedRevision(id, RECORD_STREAM)) + 1;
    const claimed = await records.apply(id, RECORD_STREAM, revision, () => ({ user, fingerprint, state: 'running', startedAt: new Date().toISOString() }));
    if (!claimed) throw running(undefined);
    return { revision };
  }

  private replay(first: Outcome, res: Response): Observable<unknown> {
    res.setHeader('Idempotent-Replayed', 'true');
    if (first.location !== undefined) res.setHeader('Location', first.location);
    const error = first.error;
    if (error !== undefined) return throwError(() => new ApiError(error.code, error.message, error.details));
    res.status(first.status);
    return of(first.body);
  }
}

/** The 409 for a key whose earlier attempt is running, or stopped with its process before it could answer. */
function running(record: IdempotencyRecord | undefined): ApiError {
  const abandoned = record !== undefined && Date.now() - Date.parse(record.startedAt) > ABANDONED_AFTER_MS;
  return abandoned
    ? new ApiError('CONFLICT', 'the first request with this Idempotency-Key stopped before it answered (the server restarted) and may have been applied; check the resource before sending it again with a new key', {
        idempotency: 'outcome-unknown',
        startedAt: record.startedAt,
      })
    : new ApiError('CONFLICT', 'a request with this Idempotency-Key is still in progress; retry it later', { idempotency: 'in-progress' });
}

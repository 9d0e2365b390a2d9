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

/** The first outcome of a request sent with an Idempotency-Key, kept to answer its retries. */
interface RecordedOutcome {
  readonly user: string;
  /** sha-256 of the method, the path with its query and the JSON body. */
  readonly fingerprint: string;
  readonly status: number;
  readonly body?: unknown;
  readonly error?: { readonly code: ApiErrorCode; readonly message: string; readonly details?: unknown };
  readonly location?: string;
  readonly recordedAt: string;
}

const requestId = (user: string, key: string) => createHash('sha256').update(`${user}\u0000${key}`).digest('hex');
const fingerprintOf = (req: Request) =>
  createHash('sha256')
    .update(`${req.method} ${req.originalUrl}\n${req.body === undefined ? '' : JSON.stringify(req.body)}`)
    .digest('hex');

/**
 * `Idempotency-Key` on POST: the first request with a key runs; a retry with the same key and the same request
 * gets the first outcome again (status and body, success or client error) without running anything; the same
 * key with another request is 422. Outcomes are kept in the read store (shared by every service, kept across
 * restarts), per user. A retry while the first is still running is 409. Server errors are not kept: the client
 * may retry those. Limit: a process that dies after a write and before recording its outcome leaves the key
 * unrecorded, so the retry runs again.
 */
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly inFlight = new Set<string>();
  private outcomes?: ReadCollection<RecordedOutcome>;

  constructor(private readonly readStore: ReadStore) {}

  private collection(): ReadCollection<RecordedOutcome> {
    this.outcomes ??= this.readStore.collection<RecordedOutcome>(IDEMPOTENCY_COLLECTION);
    return this.outcomes;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const res = context.switchToHttp().getResponse<Response>();
    const key = req.headers[IDEMPOTENCY_HEADER];
    if (req.method !== 'POST' || key === undefined) return next.handle();
    if (typeof key !== 'string' || !KEY.test(key)) {
      return throwError(() => new ApiError('INVALID_ARGUMENT', 'Idempotency-Key must be 1 to 255 visible ASCII characters'));
    }
    const user = req.principal?.user ?? 'anonymous';
    const id = requestId(user, key);
    const fingerprint = fingerprintOf(req);
    return from(this.collection().get(id)).pipe(
      mergeMap((first) => {
        if (first !== undefined) return this.replay(first, fingerprint, res);
        if (this.inFlight.has(id)) return throwError(() => new ApiError('CONFLICT', 'a request with this Idempotency-Key is still in progress; retry it later'));
        this.inFlight.add(id);
        const record = (outcome: Omit<RecordedOutcome, 'user' | 'fingerprint' | 'recordedAt'>) =>
          this.collection()
            .apply(id, 'idempotency', 0, () => ({ user, fingerprint, recordedAt: new Date().toISOString(), ...outcome }))
            .finally(() => this.inFlight.delete(id));
        return next.handle().pipe(
          mergeMap(async (body: unknown) => {
            const location = res.getHeader('location');
            await record({ status: res.statusCode, body, ...(typeof location === 'string' ? { location } : {}) });
            return body;
          }),
          catchError((error: unknown) => {
            const { status, body } = toEnvelope(error);
            // Server errors (and load refusals) are not the request's outcome: its retry runs again.
            if (status >= 500 || status === 429) {
              this.inFlight.delete(id);
              return throwError(() => error);
            }
            return from(record({ status, error: body.error })).pipe(mergeMap(() => throwError(() => error)));
          }),
        );
      }),
    );
  }

  private replay(first: RecordedOutcome, fingerprint: string, res: Response): Observable<unknown> {
    if (first.fingerprint !== fingerprint) {
      return throwError(() => new ApiError('IDEMPOTENCY_MISMATCH', 'this Idempotency-Key was used for another request (method, path or body); use a new key'));
    }
    res.setHeader('Idempotent-Replayed', 'true');
    if (first.location !== undefined) res.setHeader('Location', first.location);
    const error = first.error;
    if (error !== undefined) return throwError(() => new ApiError(error.code, error.message, error.details));
    res.status(first.status);
    return of(first.body);
  }
}

import { Catch, HttpException, Logger } from '@nestjs/common';
import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '@mreg/shared/contracts';
import { WrongExpectedRevisionError } from '@mreg/platform/event-store';
import { BlobTooLargeError, DigestMismatchError } from '@mreg/platform/artifact-storage';
import { FilterError, PageSizeError, PageTokenError } from '@mreg/shared/query';
import { QueryTooExpensiveError, ReadQueueFullError } from '@mreg/platform/read-store';
import { ApiError, STATUS_OF } from './api-error';
import { WritePending } from './write-pending';
import { currentWrites, encodeConsistencyToken } from '../projection/consistency';
import type { ApiErrorCode, ErrorEnvelope } from './api-error';
import { isMlflowPath, toMlflowError } from './mlflow-envelope';
import type { MlflowErrorBody } from './mlflow-envelope';

const HTTP_CODES: Readonly<Record<number, ApiErrorCode>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  416: 'RANGE_NOT_SATISFIABLE',
  422: 'IDEMPOTENCY_MISMATCH',
  429: 'RESOURCE_EXHAUSTED',
};

/** Maps every failure to one envelope; only a genuine fault of ours is a 500. */
export function toEnvelope(error: unknown): { status: number; body: ErrorEnvelope } {
  const out = (code: ApiErrorCode, message: string, details?: unknown) => ({
    status: STATUS_OF[code],
    body: { error: details === undefined ? { code, message } : { code, message, details } },
  });
  if (error instanceof ApiError) return out(error.code, error.message, error.details);
  if (error instanceof DomainError) return out(error.code, error.message, error.details);
  if (error instanceof WrongExpectedRevisionError) {
    return out('STALE_REVISION', 'the resource was changed concurrently; re-read it and retry', {
      expectedRevision: error.expected,
      actualRevision: error.actual,
    });
  }
  if (error instanceof FilterError) return out('INVALID_ARGUMENT', `invalid filter: ${error.message}`);
  if (error instanceof PageTokenError || error instanceof PageSizeError) return out('INVALID_ARGUMENT', error.message);
  if (error instanceof BlobTooLargeError) return out('PAYLOAD_TOO_LARGE', error.message);
  if (error instanceof QueryTooExpensiveError) return out('INVALID_ARGUMENT', error.message, { budgetMs: error.budgetMs });
  if (error instanceof ReadQueueFullError) return out('UNAVAILABLE', error.message);
  if (error instanceof DigestMismatchError) return out('INVALID_ARGUMENT', error.message, { expected: error.expected, actual: error.actual });
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = HTTP_CODES[status] ?? (status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT');
    const response = error.getResponse();
    const message = typeof response === 'object' && response !== null && 'message' in response ? response.message : error.message;
    if (Array.isArray(message)) return out(code, 'invalid request', message);
    return out(code, typeof message === 'string' ? message : error.message);
  }
  // body-parser errors carry an HTTP status and a type (entity.too.large, entity.parse.failed, ...).
  if (typeof error === 'object' && error !== null && 'type' in error && 'status' in error) {
    const e = error as { status: number; type: string; message: string };
    if (e.status === 413) return out('PAYLOAD_TOO_LARGE', 'request body too large');
    if (e.status === 415) return out('UNSUPPORTED_MEDIA_TYPE', e.message);
    if (e.status >= 400 && e.status < 500) return out('INVALID_ARGUMENT', e.type === 'entity.parse.failed' ? 'malformed JSON body' : e.message);
  }
  return out('INTERNAL', 'internal error');
}

/** The error response for a request path: the registry's envelope, or MLflow's body on MLflow's routes. */
/** Seconds a client should wait before retrying a refusal that load caused (429, 503); undefined otherwise. */
export function retryAfterOf(error: unknown): number | undefined {
  if (error instanceof ReadQueueFullError) return 1;
  if (error instanceof ApiError && (error.code === 'RESOURCE_EXHAUSTED' || error.code === 'UNAVAILABLE')) return error.retryAfterSeconds ?? 1;
  return undefined;
}

export function errorResponse(path: string, error: unknown): { status: number; body: ErrorEnvelope | MlflowErrorBody } {
  const envelope = toEnvelope(error);
  if (!isMlflowPath(path)) return envelope;
  return toMlflowError(error, envelope.body.error.code, envelope.body.error.message);
}

@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  private readonly logger = new Logger('mreg');

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (error instanceof WritePending && !response.headersSent) {
      const writes = currentWrites();
      if (writes.length > 0) response.setHeader('X-Mreg-Consistency', encodeConsistencyToken(writes));
      response.setHeader('X-Mreg-Consistency-Pending', 'true');
      response.status(202).json({ status: 'pending', message: error.message, ...error.resource });
      return;
    }
    const { status, body } = errorResponse(host.switchToHttp().getRequest<Request>().path, error);
    if (status >= 500) this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    if (response.headersSent) {
      response.destroy();
      return;
    }
    const retryAfter = retryAfterOf(error);
    if (retryAfter !== undefined) response.setHeader('Retry-After', String(retryAfter));
    // A handler may have set another Content-Type (e.g. a download) before failing: the envelope is JSON.
    response.status(status).type('application/json').json(body);
  }
}

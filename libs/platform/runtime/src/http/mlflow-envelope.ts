import { NotFoundException } from '@nestjs/common';
import type { ApiErrorCode } from './api-error';

/** MLflow's REST surface (`/api/2.0/mlflow/…`, `/api/2.0/mlflow-artifacts/…`, `/api/3.0/mlflow/…`): same routes, its own error body. */
export const MLFLOW_PATH = /^\/api\/[23]\.0\//;

export function isMlflowPath(path: string): boolean {
  return MLFLOW_PATH.test(path);
}

/** MLflow's error body: the client raises `MlflowException(message, error_code)` from it. */
export interface MlflowErrorBody {
  readonly error_code: string;
  readonly message: string;
}

/**
 * The registry's error codes in MLflow's vocabulary, with the status to send. Statuses follow MLflow's server,
 * except where MLflow would say 500 for a client's mistake: its client retries 5xx, which must never repeat a
 * refused write.
 */
const MLFLOW_CODES: Readonly<Record<ApiErrorCode, readonly [string, number]>> = {
  INVALID_ARGUMENT: ['INVALID_PARAMETER_VALUE', 400],
  UNAUTHENTICATED: ['UNAUTHENTICATED', 401],
  PERMISSION_DENIED: ['PERMISSION_DENIED', 403],
  NOT_FOUND: ['RESOURCE_DOES_NOT_EXIST', 404],
  METHOD_NOT_ALLOWED: ['ENDPOINT_NOT_FOUND', 405],
  ALREADY_EXISTS: ['RESOURCE_ALREADY_EXISTS', 400],
  CONFLICT: ['RESOURCE_CONFLICT', 409],
  STALE_REVISION: ['ABORTED', 409],
  FAILED_PRECONDITION: ['INVALID_STATE', 409],
  PAYLOAD_TOO_LARGE: ['INVALID_PARAMETER_VALUE', 413],
  UNSUPPORTED_MEDIA_TYPE: ['BAD_REQUEST', 415],
  RANGE_NOT_SATISFIABLE: ['INVALID_PARAMETER_VALUE', 416],
  IDEMPOTENCY_MISMATCH: ['INVALID_PARAMETER_VALUE', 422],
  RESOURCE_EXHAUSTED: ['RESOURCE_EXHAUSTED', 429],
  INTERNAL: ['INTERNAL_ERROR', 500],
  UNAVAILABLE: ['TEMPORARILY_UNAVAILABLE', 503],
};

/**
 * The MLflow rendering of an error the registry already classified (`toEnvelope`): one classification, two
 * renderings. A route that does not exist is ENDPOINT_NOT_FOUND (the client falls back to older endpoints on
 * it), unlike a resource that does not exist.
 */
export function toMlflowError(error: unknown, code: ApiErrorCode, message: string): { status: number; body: MlflowErrorBody } {
  if (error instanceof NotFoundException) return { status: 404, body: { error_code: 'ENDPOINT_NOT_FOUND', message } };
  const [errorCode, status] = MLFLOW_CODES[code];
  return { status, body: { error_code: errorCode, message } };
}

import type { ErrorCode } from '@mreg/shared/contracts';

/** Stable error codes of the HTTP envelope `{"error": {"code", "message", "details"?}}`: the registry's one vocabulary. */
export type ApiErrorCode = ErrorCode;

export const STATUS_OF: Readonly<Record<ApiErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  ALREADY_EXISTS: 409,
  CONFLICT: 409,
  STALE_REVISION: 409,
  FAILED_PRECONDITION: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RANGE_NOT_SATISFIABLE: 416,
  IDEMPOTENCY_MISMATCH: 422,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
};

/** An error meant for the client, raised outside the domain (parsing, auth, transport). */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
    /** For RESOURCE_EXHAUSTED and UNAVAILABLE: when to retry (the Retry-After header), in seconds. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get status(): number {
    return STATUS_OF[this.code];
  }
}

export interface ErrorEnvelope {
  readonly error: { readonly code: ApiErrorCode; readonly message: string; readonly details?: unknown };
}

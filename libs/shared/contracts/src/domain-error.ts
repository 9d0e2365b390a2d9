/**
 * The registry's one error vocabulary: the codes of HTTP's envelope `{"error": {"code", …}}`, of Kafka's
 * `MessageRejectedV1` (the client-mistake codes) and of `DomainError` (what a rule refuses with). MLflow's door
 * renders the same codes in MLflow's words. In the order the API documentation lists them.
 */
export const ERROR_CODES = [
  'INVALID_ARGUMENT',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'ALREADY_EXISTS',
  'CONFLICT',
  'STALE_REVISION',
  'FAILED_PRECONDITION',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RANGE_NOT_SATISFIABLE',
  'IDEMPOTENCY_MISMATCH',
  'RESOURCE_EXHAUSTED',
  'INTERNAL',
  'UNAVAILABLE',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** What a decider (or a command service, on a rule of the domain) refuses a command with. */
export type DomainErrorCode = Extract<ErrorCode, 'INVALID_ARGUMENT' | 'PERMISSION_DENIED' | 'NOT_FOUND' | 'ALREADY_EXISTS' | 'CONFLICT' | 'FAILED_PRECONDITION'>;

/** What a decider throws when a command breaks a rule; the error envelope carries its code as it is. */
export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

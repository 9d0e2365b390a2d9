/**
 * What a decider throws when a command breaks a rule. The HTTP layer maps the code:
 * NOT_FOUND→404, ALREADY_EXISTS / CONFLICT / PRECONDITION_FAILED→409, INVALID→400, FORBIDDEN→403.
 */
export type DomainErrorCode = 'NOT_FOUND' | 'ALREADY_EXISTS' | 'CONFLICT' | 'INVALID' | 'FORBIDDEN' | 'PRECONDITION_FAILED';

export const DOMAIN_ERROR_CODES: readonly DomainErrorCode[] = ['NOT_FOUND', 'ALREADY_EXISTS', 'CONFLICT', 'INVALID', 'FORBIDDEN', 'PRECONDITION_FAILED'];

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

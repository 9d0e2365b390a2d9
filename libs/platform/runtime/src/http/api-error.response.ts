import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import { ERROR_CODES } from '@mreg/shared/contracts';
import type { ApiErrorCode } from './api-error';

/** The `error` member of the envelope (documentation only: mirrors `ErrorEnvelope`). */
export class ApiErrorBody {
  @ApiProperty({ enum: ERROR_CODES, enumName: 'ApiErrorCode', example: 'NOT_FOUND' })
  code!: ApiErrorCode;

  @ApiProperty({ example: 'model "fraud-detector" not found' })
  message!: string;

  @ApiPropertyOptional({
    description: 'Machine-readable context: an object (e.g. {"expectedRevision": 3, "actualRevision": 4}) or, when a body fails validation, the problems of each field',
    anyOf: [
      { type: 'object', additionalProperties: true },
      {
        type: 'array',
        items: {
          type: 'object',
          properties: { field: { type: 'string', example: 'name' }, problems: { type: 'array', items: { type: 'string' } } },
          required: ['field', 'problems'],
        },
      },
      { type: 'array', items: { type: 'string' } },
    ],
  })
  details?: unknown;
}

/** `{"error": {"code", "message", "details"?}}`: what every failed request answers. */
export class ApiErrorEnvelope {
  @ApiProperty({ type: ApiErrorBody })
  error!: ApiErrorBody;
}

const ERROR_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT: malformed parameter, query or body',
  401: 'UNAUTHENTICATED: missing or unknown bearer token',
  403: 'PERMISSION_DENIED: the caller lacks the required role',
  404: 'NOT_FOUND: the resource does not exist',
  409: 'ALREADY_EXISTS, CONFLICT, STALE_REVISION or FAILED_PRECONDITION: the current state forbids the change',
  413: 'PAYLOAD_TOO_LARGE: the request body exceeds the limit',
  415: 'UNSUPPORTED_MEDIA_TYPE: the body must be application/json',
  416: 'RANGE_NOT_SATISFIABLE: the Range lies outside the artifact',
  503: 'UNAVAILABLE: a backing store does not answer',
};

/** Documents the given error statuses, each with the error envelope as its body. */
export function ApiErrorResponses(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(...statuses.map((status) => ApiResponse({ status, description: ERROR_DESCRIPTIONS[status] ?? 'error', type: ApiErrorEnvelope })));
}

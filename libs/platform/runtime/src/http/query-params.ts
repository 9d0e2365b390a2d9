import { ApiHideProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, ValidateBy } from 'class-validator';
import type { ValidationOptions } from 'class-validator';
import { PAGE_TOKEN_MAX, PAGE_TOKEN_PATTERN } from '@mreg/shared/query';
import { parseIsoInstant } from '@mreg/shared/util';

// Query strings are parsed into these DTOs by the global ValidationPipe: unknown parameters are refused
// (whitelist), a repeated one is refused (the simple query parser makes it an array), 400 INVALID_ARGUMENT.

/** A query parameter given at most once. */
export function GivenOnce(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    { name: 'givenOnce', validator: { validate: (value: unknown) => typeof value === 'string' || value instanceof Date || typeof value === 'number', defaultMessage: (args) => `query parameter ${args?.property ?? ''} must be given once` } },
    options,
  );
}

/** A check that leaves a repeated parameter to {@link GivenOnce}, so it is reported once. */
function SingleValue(name: string, check: (value: unknown) => boolean, message: string): PropertyDecorator {
  return ValidateBy({ name, validator: { validate: (value: unknown) => Array.isArray(value) || check(value), defaultMessage: () => message } });
}

/** One page of a list: filter, order, page size and the token of the previous page. */
export class ListQuery {
  @ApiPropertyOptional({ description: "The filter grammar, e.g. name LIKE 'fraud%' AND tags.team = 'risk'" })
  @IsOptional()
  @GivenOnce()
  filter?: string;

  @ApiPropertyOptional({ description: 'field [asc|desc]' })
  @IsOptional()
  @GivenOnce()
  orderBy?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, default: 50, description: '1..1000, default 50' })
  @IsOptional()
  @GivenOnce()
  pageSize?: string;

  @ApiPropertyOptional({
    description:
      'The nextPageToken of the previous page, as given: an opaque URL-safe token (base64url, at most 1024 characters). Only a token the server issued for the same query ' +
      '(path, filter and order) continues it; any other token is refused with 400.',
    maxLength: PAGE_TOKEN_MAX,
    pattern: PAGE_TOKEN_PATTERN,
  })
  @IsOptional()
  @GivenOnce()
  pageToken?: string;
}

const AS_OF_PROBLEM = 'asOf must be an ISO-8601 date or date-time with a time zone';

/** `?asOf=`: a point-in-time read. */
export class AsOfQuery {
  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'ISO-8601 instant (or date): the resource as it was then, replayed from the log' })
  // '' means "now"; an instant that does not parse stays a string for the check below.
  @Transform(({ value }: { value: unknown }) => (value === '' ? undefined : typeof value === 'string' ? (parseIsoInstant(value) ?? value) : value))
  @IsOptional()
  @GivenOnce()
  @SingleValue('isInstant', (value) => value instanceof Date, AS_OF_PROBLEM)
  asOf?: Date;

  // A single resource has no page, but these were always accepted (and ignored) beside asOf: still are.
  @ApiHideProperty()
  @IsOptional()
  @GivenOnce()
  filter?: string;

  @ApiHideProperty()
  @IsOptional()
  @GivenOnce()
  orderBy?: string;

  @ApiHideProperty()
  @IsOptional()
  @GivenOnce()
  pageSize?: string;

  @ApiHideProperty()
  @IsOptional()
  @GivenOnce()
  pageToken?: string;
}

/** `?version=` in a query: a version number, as a number. */
export function IsVersionNumber(): PropertyDecorator {
  const transform = Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^[1-9][0-9]{0,8}$/.test(value) ? Number(value) : value));
  const check = SingleValue('isVersionNumber', (value) => typeof value === 'number', 'version must be a positive integer');
  return (target, key) => {
    check(target, key);
    transform(target, key);
  };
}

/** `?x=` one of the given values. */
export function IsOneOf(values: readonly string[], what: string): PropertyDecorator {
  return SingleValue('isOneOf', (value) => typeof value === 'string' && values.includes(value), `${what} must be one of ${values.join(', ')}`);
}

import { validateAlias, validateModelName } from '@mreg/shared/util';
import { ApiError } from './api-error';

/** Path parameters are input too: checked with the same grammars as bodies (400, never a 500). */
export function modelNameParam(raw: string): string {
  const problem = validateModelName(raw);
  if (problem) throw new ApiError('INVALID_ARGUMENT', `invalid model name in path: ${problem}`);
  return raw;
}

export function versionParam(raw: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(raw)) throw new ApiError('INVALID_ARGUMENT', 'version must be a positive integer');
  return Number(raw);
}

export function aliasParam(raw: string): string {
  const problem = validateAlias(raw);
  if (problem) throw new ApiError('INVALID_ARGUMENT', `invalid alias in path: ${problem}`);
  return raw;
}

/** Optional point-in-time parameter (?asOf=ISO-8601). */
export function asOfParam(raw: unknown, parse: (s: string) => Date | undefined): Date | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') throw new ApiError('INVALID_ARGUMENT', 'asOf must be given once');
  const at = parse(raw);
  if (!at) throw new ApiError('INVALID_ARGUMENT', 'asOf must be an ISO-8601 date or date-time with a time zone');
  return at;
}

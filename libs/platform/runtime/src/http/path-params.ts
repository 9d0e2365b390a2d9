import { Injectable } from '@nestjs/common';
import type { PipeTransform } from '@nestjs/common';
import { ALIAS_MAX, KEY_MAX, MODEL_ID_PATTERN, MODEL_NAME_MAX, RESERVED_ALIASES, validateAlias, validateModelId, validateModelName, validateTagKey } from '@mreg/shared/util';
import { ApiError } from './api-error';

// Path parameters are input too: each is checked by a pipe with the same grammar as bodies (400, never a 500),
// before the handler runs: `@Param('name', ModelNamePipe) name: string`.

/** `:name`, a model name. */
@Injectable()
export class ModelNamePipe implements PipeTransform<string, string> {
  transform(raw: string): string {
    const problem = validateModelName(raw);
    if (problem) throw new ApiError('INVALID_ARGUMENT', `invalid model name in path: ${problem}`);
    return raw;
  }
}

/** `:modelId`, a model's id (what reaches a model whatever its name, deleted or not). */
@Injectable()
export class ModelIdPipe implements PipeTransform<string, string> {
  transform(raw: string): string {
    const problem = validateModelId(raw);
    if (problem) throw new ApiError('INVALID_ARGUMENT', `invalid model id in path: ${problem}`);
    return raw;
  }
}

/** `:version`, a version number (1 to 999 999 999, no sign, no leading zero), as a number. */
@Injectable()
export class VersionPipe implements PipeTransform<string, number> {
  transform(raw: string): number {
    if (!/^[1-9][0-9]{0,8}$/.test(raw)) throw new ApiError('INVALID_ARGUMENT', 'version must be a positive integer');
    return Number(raw);
  }
}

/** `:alias`, an alias name. */
@Injectable()
export class AliasPipe implements PipeTransform<string, string> {
  transform(raw: string): string {
    const problem = validateAlias(raw);
    if (problem) throw new ApiError('INVALID_ARGUMENT', `invalid alias in path: ${problem}`);
    return raw;
  }
}

/** `:key`, a tag key. */
@Injectable()
export class TagKeyPipe implements PipeTransform<string, string> {
  transform(raw: string): string {
    const problem = validateTagKey(raw);
    if (problem) throw new ApiError('INVALID_ARGUMENT', `invalid tag key in path: ${problem}`);
    return raw;
  }
}

/** An OpenAPI schema (the subset the registry's contract uses). */
export type ParameterSchema = Record<string, unknown>;

/** The names of Object.prototype members: refused as tag keys (see validateTagKey). */
const PROTOTYPE_MEMBERS = Object.getOwnPropertyNames(Object.prototype);

/** One segment of an artifact path. */
const ARTIFACT_SEGMENT = String.raw`[^/\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\\;:#]{1,255}`;

/**
 * What each pipe above accepts, as the OpenAPI schema of the path parameter it checks (ECMAScript regexes without
 * lookbehind, so that clients and generators can use them): the published contract is the pipe's grammar.
 * Applied to every path parameter of that name by createHttpApp.
 */
export const PATH_PARAMETER_SCHEMAS: Readonly<Record<string, ParameterSchema>> = {
  // ModelNamePipe: a letter or digit first, then letters, digits, "_", "-" and single dots between them.
  name: { type: 'string', minLength: 1, maxLength: MODEL_NAME_MAX, pattern: '^[A-Za-z0-9][A-Za-z0-9_-]*(?:\\.[A-Za-z0-9_-]+)*$' },
  // ModelIdPipe: a lower-case UUID.
  modelId: { type: 'string', format: 'uuid', pattern: MODEL_ID_PATTERN },
  // VersionPipe.
  version: { type: 'integer', minimum: 1, maximum: 999_999_999 },
  // AliasPipe: a-z, 0-9, "_" and "-", a letter or digit first, not only digits, not reserved.
  alias: { type: 'string', minLength: 1, maxLength: ALIAS_MAX, pattern: '^(?:[0-9]*[a-z]|[0-9]+[_-])[a-z0-9_-]*$', not: { enum: [...RESERVED_ALIASES] } },
  // TagKeyPipe: letters, digits, spaces and "_-.:/", no leading "/" or space, no trailing space, no "." or ".." step.
  key: {
    type: 'string',
    minLength: 1,
    maxLength: KEY_MAX,
    pattern: '^(?![ /])(?!.* $)(?!(?:.*/)?\\.{1,2}(?:/|$))[A-Za-z0-9_\\-.:/ ]+$',
    not: { enum: PROTOTYPE_MEMBERS },
  },
  // One segment of an artifact path (artifactPathFromUrl: validateArtifactPath after one decoding): a path
  // parameter is percent-encoded whole, and the server refuses an encoded "/", so nested paths are written with
  // literal "/" between segments, each of this form: at most 255 characters (the server counts 255 UTF-8 bytes), not
  // "." or "..", no control or bidi characters, no "\\", ";", ":" or "#", nothing that still percent-decodes.
  path: {
    type: 'string',
    minLength: 1,
    maxLength: 255,
    pattern: String.raw`^(?!.*%[0-9A-Fa-f]{2})(?!\.{1,2}$)${ARTIFACT_SEGMENT}$`,
    description: 'One segment of the artifact path; nested paths join segments with a literal "/" (a/b/model.pkl), 1024 characters at most',
  },
};

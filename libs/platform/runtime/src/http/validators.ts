import { ValidateBy, ValidateIf, buildMessage } from 'class-validator';
import type { ValidationOptions } from 'class-validator';
import { DEFAULT_URI_SCHEMES, TAG_VALUE_MAX, URI_MAX, hasLoneSurrogate, validateAlias, validateMetricKey, validateMetricValue, validateModelName, validateParamKey, validateTagKey, validateTagValue, validateUri } from '@mreg/shared/util';
import { PATH_PARAMETER_SCHEMAS } from './path-params';

/** A property checked by one of the registry's grammar functions (which return an error message or undefined). */
export function Satisfies(name: string, check: (value: string) => string | undefined, options?: ValidationOptions): PropertyDecorator {
  let last = '';
  return ValidateBy(
    {
      name,
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') {
            last = 'must be a string';
            return false;
          }
          const problem = check(value);
          last = problem ?? '';
          return problem === undefined;
        },
        defaultMessage: buildMessage((prefix) => `${prefix}${last}`, options),
      },
    },
    options,
  );
}

export const IsModelName = (options?: ValidationOptions) => Satisfies('isModelName', validateModelName, options);
export const IsAliasName = (options?: ValidationOptions) => Satisfies('isAliasName', validateAlias, options);

const MAX_ENTRIES = 200;

function mapCheck(name: string, checkKey: (k: string) => string | undefined, checkValue: (v: unknown) => string | undefined, options?: ValidationOptions): PropertyDecorator {
  let last = '';
  return ValidateBy(
    {
      name,
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) {
            last = 'must be a JSON object';
            return false;
          }
          const entries = Object.entries(value as Record<string, unknown>);
          if (entries.length > MAX_ENTRIES) {
            last = `may have at most ${MAX_ENTRIES} entries`;
            return false;
          }
          for (const [k, v] of entries) {
            const problem = checkKey(k) ?? checkValue(v);
            if (problem) {
              last = `key ${JSON.stringify(k.slice(0, 64))}: ${problem}`;
              return false;
            }
          }
          return true;
        },
        defaultMessage: buildMessage((prefix) => `${prefix}${last}`, options),
      },
    },
    options,
  );
}

const stringValue = (v: unknown) => (typeof v === 'string' ? validateTagValue(v) : 'value must be a string');

/** {key: string} maps of tags. */
export const IsTagMap = (options?: ValidationOptions) => mapCheck('isTagMap', validateTagKey, stringValue, options);
/** {key: string} maps of params. */
export const IsParamMap = (options?: ValidationOptions) => mapCheck('isParamMap', validateParamKey, stringValue, options);
/** {key: finite number} maps of metrics. */
export const IsMetricMap = (options?: ValidationOptions) => mapCheck('isMetricMap', validateMetricKey, validateMetricValue, options);
export const IsTagKey = (options?: ValidationOptions) => Satisfies('isTagKey', validateTagKey, options);
export const IsTagValue = (options?: ValidationOptions) => Satisfies('isTagValue', validateTagValue, options);

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

let uriSchemes: readonly string[] = DEFAULT_URI_SCHEMES;

/** The schemes @IsUri allows in this process (MREG_URI_SCHEMES): set once at start, before any request. */
export function allowUriSchemes(schemes: readonly string[]): void {
  uriSchemes = schemes;
}

/** The schemes @IsUri allows in this process. */
export function allowedUriSchemes(): readonly string[] {
  return uriSchemes;
}

/** A source or lineage URI by the registry's one URI grammar (shared/util `validateUri`). */
export const IsUri = (options?: ValidationOptions) => Satisfies('isUri', (v) => validateUri(v, { schemes: uriSchemes }), options);

/** Plain single-line text of bounded length (names, comments: no control characters but tab/newline when multiline). */
export function validateText(max: number, multiline: boolean) {
  return (value: string): string | undefined => {
    if (value.length > max) return `must be at most ${max} characters`;
    // A lone surrogate cannot be written as UTF-8: stores would mangle it and clients choke reading it back.
    if (hasLoneSurrogate(value)) return 'must be valid Unicode text';
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    const bad = multiline ? /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/ : CONTROL;
    if (bad.test(value)) return 'must not contain control characters';
    return undefined;
  };
}

export const IsText = (max: number, options?: ValidationOptions & { multiline?: boolean }) => Satisfies('isText', validateText(max, options?.multiline ?? false), options);

/** A JSON object whose serialised size is bounded (e.g. a model signature). */
export function IsBoundedJsonObject(maxBytes: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isBoundedJsonObject',
      validator: {
        validate: (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value) && Buffer.byteLength(JSON.stringify(value)) <= maxBytes,
        defaultMessage: buildMessage((prefix) => `${prefix}$property must be a JSON object of at most ${maxBytes} bytes`, options),
      },
    },
    options,
  );
}

const SCHEMA_RULES = new Map<string, Readonly<Record<string, unknown>>>();

/**
 * A rule between a body's fields that no field's own schema can say, in JSON Schema (`if`/`then` …): added to the
 * class's component schema in the published document (completeContract), beside the check that enforces it.
 */
export function ApiSchemaRule(rule: Readonly<Record<string, unknown>>): ClassDecorator {
  return (target) => {
    SCHEMA_RULES.set(target.name, { ...SCHEMA_RULES.get(target.name), ...rule });
  };
}

/** The rules of @ApiSchemaRule, by component schema (class) name. */
export function schemaRules(): ReadonlyMap<string, Readonly<Record<string, unknown>>> {
  return SCHEMA_RULES;
}

/**
 * An optional property that may be left out but not set to null: class-validator's @IsOptional() would let
 * `"description": null` through and store a null.
 */
export const OptionalNotNull = (options?: ValidationOptions): PropertyDecorator => ValidateIf((_object, value) => value !== undefined, options);

// The OpenAPI schemas of the grammars above, spread into `@ApiProperty` so that the published contract says what
// the decorator beside it enforces (ECMAScript regexes without lookbehind).

/** @IsModelName. */
export const MODEL_NAME_SCHEMA = PATH_PARAMETER_SCHEMAS.name as { type: 'string'; minLength: number; maxLength: number; pattern: string };

/** @IsText(max, { multiline }): no control characters (multiline: tab, newline and carriage return allowed). */
export function textSchema(max: number, multiline = false): { maxLength: number; pattern: string } {
  return { maxLength: max, pattern: multiline ? '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$' : '^[^\\u0000-\\u001f\\u007f]*$' };
}

/** @IsTagValue, and the values of @IsTagMap and @IsParamMap: no C0/C1 controls but tab, newline, carriage return. */
export const TAG_VALUE_SCHEMA = { type: 'string', maxLength: TAG_VALUE_MAX, pattern: '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$' } as const;

/** The keys of @IsTagMap, @IsParamMap and @IsMetricMap: the tag key grammar (validateTagKey, TagKeyPipe). */
export const MAP_KEY_SCHEMA = PATH_PARAMETER_SCHEMAS.key;

/** What `\s` matches in an ECMAScript regex, spelled out (other regex engines differ). */
const WHITESPACE = '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';

/**
 * The text @IsUri accepts, as far as a regular expression can say it: one of `schemes` (in any case), ":", then no
 * whitespace, control or bidirectional formatting character and no backslash. What needs a URL parser (a valid
 * host, no "." or ".." step after percent-decoding, no credentials, no cloud metadata host) is in the description.
 */
export function uriPattern(schemes: readonly string[]): string {
  const anyCase = (scheme: string) => [...scheme].map((c) => (/[a-z]/.test(c) ? `[${c}${c.toUpperCase()}]` : c.replace(/[.+]/, '\\$&'))).join('');
  const longestFirst = [...schemes].sort((a, b) => b.length - a.length);
  return `^(?:${longestFirst.map(anyCase).join('|')}):[^${WHITESPACE}\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069\\\\]*$`;
}

/**
 * @IsUri. `format: iri`: an absolute IRI (non-ASCII text is allowed; it is stored as given). The pattern has the
 * default schemes here; the published document has the ones this process allows (completeContract).
 */
export const URI_SCHEMA = {
  type: 'string',
  format: 'iri',
  maxLength: URI_MAX,
  pattern: uriPattern(DEFAULT_URI_SCHEMES),
  description:
    'An absolute URI of an allowed scheme: no whitespace, control or bidirectional characters, no backslash, no user-info (credentials; Azure containers excepted), ' +
    'no "." or ".." path step even after percent-decoding, no cloud metadata host, and a host where the scheme needs one (http, https).',
} as const;

/** @IsTagMap, @IsParamMap: at most 200 entries, keys by the key grammar, string values. */
export const STRING_MAP_SCHEMA = { type: 'object', maxProperties: MAX_ENTRIES, propertyNames: MAP_KEY_SCHEMA, additionalProperties: TAG_VALUE_SCHEMA } as const;

/** @IsMetricMap: at most 200 entries, keys by the key grammar, numbers (JSON has no NaN or infinity). */
export const METRIC_MAP_SCHEMA = { type: 'object', maxProperties: MAX_ENTRIES, propertyNames: MAP_KEY_SCHEMA, additionalProperties: { type: 'number' } } as const;

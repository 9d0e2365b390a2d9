import { hasControlChars, hasControlCharsExceptWhitespace, hasLoneSurrogate } from './text-checks';

// Each validator returns a human-readable reason, or undefined when the input is acceptable.

export const MODEL_NAME_MAX = 256;
export const KEY_MAX = 250;
export const TAG_VALUE_MAX = 5000;
export const ALIAS_MAX = 64;
/** Aliases with a built-in meaning that users cannot assign. */
export const RESERVED_ALIASES: readonly string[] = ['latest'];

const RESERVED_KEYS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const KEY = /^[A-Za-z0-9_\-.:/ ]+$/;
const ALIAS = /^[a-z0-9][a-z0-9_-]*$/;

/** Model ids as the registry hands them out: lower-case UUIDs (a stream id is built from one). */
export const MODEL_ID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
const MODEL_ID = new RegExp(MODEL_ID_PATTERN);

export function validateModelId(s: string): string | undefined {
  if (typeof s !== 'string' || !MODEL_ID.test(s)) return 'model id must be a lower-case UUID, as the registry returns it (the "id" of a model)';
  return undefined;
}

export function validateModelName(s: string): string | undefined {
  if (typeof s !== 'string' || s.length === 0) return 'model name must not be empty';
  if (s.length > MODEL_NAME_MAX) return `model name must be at most ${MODEL_NAME_MAX} characters`;
  if (!MODEL_NAME.test(s)) {
    return 'model name must start with a letter or digit and contain only letters, digits, "_", "-" and "."';
  }
  // '..' reads like a path step wherever a name ends up in a URL or an artifact path.
  if (s.includes('..')) return 'model name must not contain ".."';
  // `victim.` would read as `victim` to DNS, Windows paths and people: one name, so the dotted form is refused.
  if (s.endsWith('.')) return 'model name must not end with "."';
  return undefined;
}

function validateKey(what: string, s: string): string | undefined {
  if (typeof s !== 'string' || s.length === 0) return `${what} must not be empty`;
  if (s.length > KEY_MAX) return `${what} must be at most ${KEY_MAX} characters`;
  if (hasControlChars(s)) return `${what} must not contain control characters`;
  if (!KEY.test(s)) return `${what} may contain only letters, digits, spaces and "_", "-", ".", ":", "/"`;
  if (s.startsWith(' ') || s.endsWith(' ')) return `${what} must not start or end with a space`;
  // Keys end up in URL paths (`/tags/<key>`) and object keys: no absolute or relative path steps, no names of
  // Object.prototype members (how prototype pollution starts), the same through a path as through a body.
  if (s.startsWith('/')) return `${what} must not start with "/"`;
  if (s.split('/').some((segment) => segment === '.' || segment === '..')) return `${what} must not contain "." or ".." path steps`;
  if (RESERVED_KEYS.has(s)) return `${what} "${s}" is reserved`;
  return undefined;
}

export function validateTagKey(s: string): string | undefined {
  return validateKey('tag key', s);
}

export function validateParamKey(s: string): string | undefined {
  return validateKey('param key', s);
}

export function validateMetricKey(s: string): string | undefined {
  return validateKey('metric key', s);
}

export function validateTagValue(s: string): string | undefined {
  if (typeof s !== 'string') return 'tag value must be a string';
  if (s.length > TAG_VALUE_MAX) return `tag value must be at most ${TAG_VALUE_MAX} characters`;
  if (hasControlCharsExceptWhitespace(s)) return 'tag value must not contain control characters other than tab and newline';
  if (hasLoneSurrogate(s)) return 'tag value must be valid Unicode text';
  return undefined;
}

export function validateMetricValue(n: unknown): string | undefined {
  if (typeof n !== 'number' || !Number.isFinite(n)) return 'metric value must be a finite number';
  return undefined;
}

export function validateAlias(s: string): string | undefined {
  if (typeof s !== 'string' || s.length === 0) return 'alias must not be empty';
  if (s.length > ALIAS_MAX) return `alias must be at most ${ALIAS_MAX} characters`;
  if (!ALIAS.test(s)) {
    return 'alias must start with a lower-case letter or digit and contain only a-z, 0-9, "_" and "-"';
  }
  // A digits-only alias would be indistinguishable from a version number in `models/x/versions/3`.
  if (/^[0-9]+$/.test(s)) return 'alias must not be only digits (it would look like a version number)';
  if (RESERVED_ALIASES.includes(s)) return `alias "${s}" is reserved`;
  return undefined;
}

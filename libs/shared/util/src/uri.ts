import { hasBidiControl, hasControlChars, hasLoneSurrogate } from './text-checks';

export const URI_MAX = 2048;

/**
 * Schemes a version's source and lineage URIs may use unless the operator configures others
 * (MREG_URI_SCHEMES): object stores, HTTP(S), Hadoop, Azure, git, and MLflow's own. `file:` is left out on
 * purpose: a registry shared by a team must not point at one machine's disk.
 */
export const DEFAULT_URI_SCHEMES: readonly string[] = ['s3', 's3a', 'gs', 'hdfs', 'abfss', 'wasbs', 'https', 'http', 'git', 'git+https', 'git+ssh', 'ssh', 'runs', 'models', 'mlflow-artifacts'];

/** A scheme as RFC 3986 spells it (lower-cased), at most 32 characters. */
export const URI_SCHEME = /^[a-z][a-z0-9+.-]{0,31}$/;

// Cloud instance-metadata endpoints: a URI that a deployment job might fetch must never point there.
const METADATA_HOSTS = new Set(['169.254.169.254', '[fd00:ec2::254]', 'metadata.google.internal', 'metadata', '100.100.100.200']);
const CONTAINER_USER_SCHEMES: ReadonlySet<string> = new Set(['abfs', 'abfss', 'wasb', 'wasbs']);
const LINK_LOCAL_V4 = /^169\.254\.\d{1,3}\.\d{1,3}$/;

/**
 * Percent-decodes until nothing changes (at most a few rounds); undefined when the text as given has a malformed
 * escape. A later round that fails has met a literal `%` (`100%25` is `100%`): the text is decoded as far as it goes.
 */
function decodeToFixedPoint(s: string): string | undefined {
  let current = s;
  for (let round = 0; round < 8; round++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return round === 0 ? undefined : current;
    }
    if (next === current) return current;
    current = next;
  }
  return undefined;
}

export interface UriRules {
  /** Allowed schemes, lower case; DEFAULT_URI_SCHEMES when absent. */
  readonly schemes?: readonly string[];
  readonly max?: number;
}

/**
 * An absolute URI a version may point at (its source, a dataset, a code repository), stored and returned exactly
 * as given, so it must be safe as it is: an allowed scheme, no user-info (credentials), no `..` step even after
 * any number of percent-decodings, no control, bidi or whitespace characters, no cloud metadata host.
 * Returns the reason it is refused, or undefined.
 */
export function validateUri(value: string, rules: UriRules = {}): string | undefined {
  const max = rules.max ?? URI_MAX;
  const schemes = rules.schemes ?? DEFAULT_URI_SCHEMES;
  if (typeof value !== 'string' || value.length === 0 || value.length > max) return `must be 1..${max} characters`;
  if (hasLoneSurrogate(value)) return 'must be valid Unicode text';
  if (hasControlChars(value) || /\s/.test(value)) return 'must not contain whitespace or control characters';
  if (hasBidiControl(value)) return 'must not contain bidirectional formatting characters';
  if (value.includes('\\')) return 'must not contain a backslash';
  const colon = value.indexOf(':');
  const scheme = colon > 0 ? value.slice(0, colon).toLowerCase() : '';
  if (!URI_SCHEME.test(scheme)) return 'must be an absolute URI such as s3://bucket/key or https://host/path';
  if (!schemes.includes(scheme)) return `scheme "${scheme}:" is not allowed (allowed: ${schemes.join(', ')})`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URI such as s3://bucket/key or https://host/path';
  }
  // Azure's `abfss://container@account…` names a container where others put a user; a password is never allowed.
  const userInfo = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)@/i.exec(value)?.[1];
  if (userInfo !== undefined && (!CONTAINER_USER_SCHEMES.has(scheme) || userInfo.includes(':'))) {
    return 'must not carry credentials (user-info before "@")';
  }
  // The URL parser would normalise `a/../b` away for http(s): check the text as given, decoded to a fixed point.
  const decoded = decodeToFixedPoint(value.slice(colon + 1));
  if (decoded === undefined) return 'has a malformed or too deeply nested percent-encoding';
  if (decoded.split(/[/\\]/).some((segment) => segment === '..' || segment === '.')) return 'must not contain "." or ".." path steps';
  if (hasControlChars(decoded) || hasBidiControl(decoded) || hasLoneSurrogate(decoded)) return 'must not encode control or bidirectional characters';
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (METADATA_HOSTS.has(host) || LINK_LOCAL_V4.test(host)) return 'must not point at a cloud metadata address';
  return undefined;
}

/** Parses MREG_URI_SCHEMES-style lists: comma-separated schemes, lower-cased; the reason when one is malformed. */
export function parseUriSchemes(list: string): readonly string[] | string {
  const schemes = list
    .split(',')
    .map((s) => s.trim().toLowerCase().replace(/:$/, ''))
    .filter((s) => s.length > 0);
  const bad = schemes.find((s) => !URI_SCHEME.test(s));
  if (bad !== undefined) return `"${bad}" is not a URI scheme`;
  if (schemes.length === 0) return 'name at least one scheme';
  return schemes;
}

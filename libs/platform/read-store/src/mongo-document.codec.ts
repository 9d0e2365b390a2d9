/*
 * How read-model documents are stored in MongoDB. Keys containing `.` or starting with `$` are ambiguous in
 * MongoDB paths (and rejected by FerretDB v1), and a key cannot contain NUL in BSON at all, while read models
 * hold arbitrary keys (tag keys such as `mlflow.source.type`). Every key at every depth is therefore
 * percent-encoded reversibly: `%` → `%25`, `.` → `%2E`, `$` → `%24`, NUL → `%00`. Filter paths, sort paths
 * and index keys are encoded the same way, so queries address exactly the stored keys.
 */

/** The stored document's field that holds the read model, apart from the adapter's own bookkeeping fields. */
export const DOC_FIELD = 'doc';

const KEY_ESCAPES = /%(25|2E|24|00)/g;
const DECODED: Readonly<Record<string, string>> = { '25': '%', '2E': '.', '24': '$', '00': '\u0000' };

export function encodeKey(key: string): string {
  // `%` first, so that the escapes added after it are not escaped again.
  return key.replaceAll('%', '%25').replaceAll('.', '%2E').replaceAll('$', '%24').replaceAll('\u0000', '%00');
}

export function decodeKey(key: string): string {
  // Every `%` of the original was encoded, so each `%` in a stored key starts one of our escapes.
  return key.replace(KEY_ESCAPES, (escape, hex: string) => DECODED[hex] ?? escape);
}

/** The MongoDB dotted path of a read-model field: `doc.<encoded key>.<encoded key>…`. */
export function documentPath(path: readonly string[]): string {
  if (path.length === 0) throw new Error('a field path needs at least one key');
  return [DOC_FIELD, ...path.map(encodeKey)].join('.');
}

/**
 * A read model as it is stored: its JSON form (exactly what the SQLite adapter stores: undefined dropped,
 * Dates as ISO text, non-finite numbers as null) with every key encoded.
 */
export function encodeDocument(doc: object): Record<string, unknown> {
  const json = JSON.stringify(doc);
  if (json === undefined) throw new TypeError('a read-model document must be JSON-serialisable');
  // The reviver runs bottom-up, so each object is rebuilt once, after its children.
  const encoded: unknown = JSON.parse(json, (_key, value: unknown) => (isPlainRecord(value) ? mapKeys(value, encodeKey) : value));
  if (!isPlainRecord(encoded)) throw new TypeError('a read-model document must be a JSON object');
  return encoded;
}

/** The inverse of encodeDocument for a document read back from MongoDB. */
export function decodeDocument(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeDocument);
  if (isPlainRecord(value)) {
    // Object.fromEntries defines own properties, so a key such as "__proto__" stays an ordinary key.
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [decodeKey(key), decodeDocument(child)]));
  }
  return value;
}

function mapKeys(record: Record<string, unknown>, map: (key: string) => string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).map(([key, child]) => [map(key), child]));
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

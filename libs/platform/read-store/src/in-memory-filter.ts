import type { BoundField, BoundFilter, CompareOp, Literal } from '@mreg/shared/query';
import { likeMatches } from './like-pattern';

export { likeMatches } from './like-pattern';

/*
 * The filter semantics every ReadStore adapter implements (the read-store contract suite checks them):
 * - A field's value is found by walking its path through nested objects (never into arrays).
 * - Only values of the field's type take part: JSON numbers for `number` fields, JSON strings for `string`
 *   and `timestamp` fields. A missing value, null, or a value of another type matches no predicate at all,
 *   `!=` included (SQL's NULL semantics).
 * - Strings and timestamps (ISO-8601 UTC) compare by Unicode code point, as SQLite's BINARY collation and
 *   MongoDB's simple collation do; numbers compare numerically.
 * - LIKE: `%` matches any run of characters, `_` exactly one character (code point), `\` makes the next
 *   character literal; the whole value must match. LIKE is case-sensitive, ILIKE compares case-insensitively
 *   (per code point, Unicode simple case mapping). Both only ever match string values; NOT LIKE / NOT ILIKE
 *   (`negated`) match the string values that LIKE / ILIKE do not match, and, like them, never a missing value.
 * - IN matches when the value equals one of the list's values; an empty list matches nothing.
 * - NOT (the `not` node) is the complement: it matches every document its filter does not, so a document
 *   without the field matches `not(tags.k = 'v')` (what MLflow's `tags.k != 'v'` means).
 */

/** A field's value in a document, when it has the field's type; undefined otherwise. */
export function fieldValue(doc: unknown, field: BoundField): string | number | undefined {
  let current: unknown = doc;
  for (const key of field.path) {
    if (!isPlainRecord(current) || !Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = current[key];
  }
  if (field.type === 'number') return typeof current === 'number' && Number.isFinite(current) ? current : undefined;
  return typeof current === 'string' ? current : undefined;
}

/** A literal coerced to a field's type (binding normally did that already); undefined when impossible. */
export function literalFor(field: BoundField, value: Literal | null): string | number | undefined {
  if (value === null) return undefined;
  if (field.type === 'number') {
    const n = typeof value === 'number' ? value : value.trim() === '' ? Number.NaN : Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return typeof value === 'string' ? value : String(value);
}

/** Orders two values of one field type: numbers numerically, strings by code point. */
export function compareValues(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  return compareCodePoints(String(a), String(b));
}

/** Code point order (= UTF-8 byte order); JS `<` compares UTF-16 code units, which differs above U+FFFF. */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x < y ? -1 : 1;
    // A surrogate pair is one code point: skip its second half.
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Whether a document matches a bound filter, with exactly the semantics of the ReadStore adapters. */
export function matchesFilter(doc: unknown, filter: BoundFilter): boolean {
  switch (filter.kind) {
    case 'and':
      return matchesFilter(doc, filter.left) && matchesFilter(doc, filter.right);
    case 'or':
      return matchesFilter(doc, filter.left) || matchesFilter(doc, filter.right);
    case 'not':
      return !matchesFilter(doc, filter.filter);
    case 'compare': {
      const value = fieldValue(doc, filter.field);
      const literal = literalFor(filter.field, filter.value);
      if (value === undefined || literal === undefined) return false;
      return holds(filter.op, compareValues(value, literal));
    }
    case 'like': {
      const value = fieldValue(doc, { ...filter.field, type: 'string' });
      if (value === undefined) return false;
      return likeMatches(String(value), filter.pattern, filter.caseInsensitive) !== (filter.negated ?? false);
    }
    case 'in': {
      const value = fieldValue(doc, filter.field);
      if (value === undefined) return false;
      return filter.values.some((candidate) => {
        const literal = literalFor(filter.field, candidate);
        return literal !== undefined && compareValues(value, literal) === 0;
      });
    }
    default:
      return assertNever(filter);
  }
}

function holds(op: CompareOp, order: number): boolean {
  switch (op) {
    case '=':
      return order === 0;
    case '!=':
      return order !== 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
    default:
      return assertNever(op);
  }
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function assertNever(value: never): never {
  throw new Error(`unexpected filter node ${JSON.stringify(value)}`);
}

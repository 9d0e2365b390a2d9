import type { BoundField, BoundFilter, CompareOp, FieldType } from '@mreg/shared/query';
import { literalFor } from './in-memory-filter';
import { documentPath } from './mongo-document.codec';

/*
 * Compiles the filter grammar (BoundFilter) to MongoDB query documents with the semantics of in-memory-filter.ts.
 * Values only ever appear as operands of an operator ($eq, $gt, $in …) and paths are built from encoded keys,
 * so no filter value or key can become an operator or address another field. MongoDB specifics handled here:
 * - Type brackets are not enough: `$type` guards keep a string out of a number comparison, and `!=` from
 *   matching a missing or null value.
 * - MongoDB paths reach into arrays (`a.b` matches `{a: [{b: 1}]}`, `$type: 'string'` matches `['x']`); the
 *   evaluator never does, so every prefix of a path and the value itself must not be an array.
 * - LIKE becomes an anchored regular expression with every other character escaped.
 */

/** A MongoDB query document (a filter). */
export type MongoQuery = { [key: string]: unknown };

/** The regular expression operator a LIKE pattern compiles to. */
export interface MongoRegex {
  readonly $regex: string;
  readonly $options: string;
}

/** Matches no document; MongoDB and FerretDB both accept an empty `$in`. */
const NOTHING: MongoQuery = { _id: { $in: [] } };

// 'number' is MongoDB's alias for int, long, double and decimal (FerretDB v1 knows no 'decimal' alias).
const BSON_TYPES: Readonly<Record<FieldType, string>> = { number: 'number', string: 'string', timestamp: 'string' };

const OPERATORS: Readonly<Record<CompareOp, string>> = { '=': '$eq', '!=': '$ne', '<': '$lt', '<=': '$lte', '>': '$gt', '>=': '$gte' };

/** The MongoDB query for a bound filter. */
export function compileFilter(filter: BoundFilter): MongoQuery {
  switch (filter.kind) {
    case 'and':
      return { $and: [compileFilter(filter.left), compileFilter(filter.right)] };
    case 'or':
      return { $or: [compileFilter(filter.left), compileFilter(filter.right)] };
    case 'not':
      // $nor matches the documents its clause does not, missing fields included: the evaluator's complement.
      return { $nor: [compileFilter(filter.filter)] };
    case 'compare': {
      const literal = literalFor(filter.field, filter.value);
      if (literal === undefined) return NOTHING;
      return typed(filter.field, filter.field.type, { [OPERATORS[filter.op]]: literal });
    }
    case 'like': {
      const regex = likeRegex(filter.pattern, filter.caseInsensitive);
      if (filter.negated !== true) return typed(filter.field, 'string', regex);
      // The type guard stays outside the negation: NOT LIKE must not match a missing value either.
      return allOf([typed(filter.field, 'string'), { [documentPath(filter.field.path)]: { $not: regex } }]);
    }
    case 'in': {
      const literals = filter.values.map((value) => literalFor(filter.field, value)).filter((value) => value !== undefined);
      if (literals.length === 0) return NOTHING;
      return typed(filter.field, filter.field.type, { $in: literals });
    }
    default:
      return assertNever(filter);
  }
}

/**
 * True only when the field holds a scalar of `type`, reached without passing through an array; `operators`
 * (a comparison, a regex) then apply to that scalar.
 */
export function typed(field: BoundField, type: FieldType, operators: object = {}): MongoQuery {
  const clauses: MongoQuery[] = [];
  for (let length = 1; length < field.path.length; length++) {
    clauses.push({ [documentPath(field.path.slice(0, length))]: { $not: { $type: 'array' } } });
  }
  clauses.push({ [documentPath(field.path)]: { $type: BSON_TYPES[type], $not: { $type: 'array' }, ...operators } });
  return allOf(clauses);
}

/** The complement of `typed(field, field.type)`: missing, null, wrong type or inside an array. */
export function untyped(field: BoundField): MongoQuery {
  return { $nor: [typed(field, field.type)] };
}

/**
 * Typed documents strictly after a keyset cursor in (value direction, _id ascending) order. Ties are always
 * broken by ascending id, also when the values are sorted descending.
 */
export function afterValue(field: BoundField, direction: 'asc' | 'desc', value: string | number, id: string): MongoQuery {
  const path = documentPath(field.path);
  return { $or: [{ [path]: { [direction === 'asc' ? '$gt' : '$lt']: value } }, { [path]: { $eq: value }, _id: { $gt: id } }] };
}

/**
 * A LIKE pattern as an anchored regular expression that PCRE (MongoDB) and RE2 (FerretDB) read alike:
 * `%` → `.*`, `_` → `.` (one code point: both engines match UTF-8 code points), `\x` → the literal x, every
 * regex metacharacter escaped. `\A`/`\z` anchor, because PCRE's `$` also matches before a final newline;
 * option `s` lets `.` match newlines; ILIKE adds `i` (both engines fold Unicode case, not only ASCII).
 */
export function likeRegex(pattern: string, caseInsensitive: boolean): MongoRegex {
  let source = '\\A';
  let previousWasAny = false;
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i];
    if (char === '%') {
      // Consecutive % are one wildcard (and one fewer backtracking point).
      if (!previousWasAny) source += '.*';
      previousWasAny = true;
      continue;
    }
    previousWasAny = false;
    if (char === '\\' && i + 1 < chars.length) source += literal(chars[++i]);
    else if (char === '_') source += '.';
    else source += literal(char);
  }
  return { $regex: `${source}\\z`, $options: caseInsensitive ? 'is' : 's' };
}

// The metacharacters of PCRE and RE2 outside a character class (Go's regexp.QuoteMeta set). Escaping more
// (letters, non-ASCII) would be an error in RE2 or mean something else in PCRE.
const REGEX_META = new Set(['\\', '.', '+', '*', '?', '(', ')', '|', '[', ']', '{', '}', '^', '$']);

function literal(char: string): string {
  // A NUL cannot travel inside a BSON regex (a C string); both engines read the escape.
  if (char === '\u0000') return '\\x00';
  return REGEX_META.has(char) ? `\\${char}` : char;
}

function allOf(clauses: MongoQuery[]): MongoQuery {
  return clauses.length === 1 ? clauses[0] : { $and: clauses };
}

function assertNever(value: never): never {
  throw new Error(`unexpected filter node ${JSON.stringify(value)}`);
}

import type { SQLInputValue } from 'node:sqlite';
import type { BoundField, BoundFilter, FieldType } from '@mreg/shared/query';
import { literalFor } from './in-memory-filter';
import type { Cursor, IndexKey } from './read-store.port';

/*
 * Compiles the filter grammar (BoundFilter), sorts and keyset cursors to SQLite SQL over JSON documents, with the
 * semantics of in-memory-filter.ts. Every field is read through one expression, its typed value (typedValue): the
 * value when it has the field's type, else NULL. Comparing, sorting and indexing that one expression gives the
 * semantics for free (NULL matches no predicate and sorts as the smallest) and lets SQLite use an index built on
 * it: an expression index serves a query only when the query spells the very same expression, so the JSON path of
 * an indexed field is written into the SQL as a string literal. Paths of fields without an index stay bound
 * parameters, so the SQL text only ever holds paths that code declared. Values are always bound parameters.
 */

/** A compiled piece of SQL with its bound parameters, in order. */
export interface Sql {
  readonly text: string;
  readonly params: SQLInputValue[];
}

/** The JSON paths (jsonPath) that have an index in the table being queried: they are written as literals. */
export type IndexedPaths = ReadonlySet<string>;

const NONE: IndexedPaths = new Set();

/**
 * A JSON path for json_extract with every key quoted and escaped: `$."tags"."team.name"`. SQLite reads the
 * quoted label like a JSON string, so JSON.stringify escapes quotes, backslashes and control characters.
 */
export function jsonPath(path: readonly string[]): string {
  return `$${path.map((key) => `.${JSON.stringify(key)}`).join('')}`;
}

/** An SQL string literal: single quotes doubled. A NUL would end the statement text early, so it is refused. */
export function sqlString(value: string): string {
  if (value.includes('\u0000')) throw new Error('an SQL literal cannot hold a NUL character');
  return `'${value.replace(/'/g, "''")}'`;
}

/** A JSON path: a literal when the path is indexed, else a bound parameter. */
function pathSql(path: readonly string[], indexed: IndexedPaths): Sql {
  const p = jsonPath(path);
  return indexed.has(p) ? { text: sqlString(p), params: [] } : { text: '?', params: [p] };
}

/**
 * The value of the field at `path` when it is of `type` (a JSON number for 'number', a JSON string otherwise),
 * else NULL. json_extract alone would not do: it gives an object or array as JSON text and true/false as 1/0.
 */
export function typedValue(path: readonly string[], type: FieldType, indexed: IndexedPaths = NONE): Sql {
  const p = pathSql(path, indexed);
  const types = type === 'number' ? `('integer', 'real')` : `('text')`;
  return { text: `(CASE WHEN json_type(doc, ${p.text}) IN ${types} THEN json_extract(doc, ${p.text}) END)`, params: [...p.params, ...p.params] };
}

/** The index's columns: each key's typed value (its path a literal) in its direction. */
export function indexColumns(keys: readonly IndexKey[]): string[] {
  return keys.map((key) => {
    const literal = new Set([jsonPath(key.path)]);
    return `${typedValue(key.path, key.type, literal).text}${key.direction === 'desc' ? ' DESC' : ''}`;
  });
}

/** The JSON paths an index definition (its SQL, as sqlite_master keeps it) reads: what indexColumns wrote. */
export function indexedPathsOf(indexSql: string): string[] {
  const paths: string[] = [];
  for (const match of indexSql.matchAll(/json_type\(doc, '((?:[^']|'')*)'\)/g)) paths.push(match[1].replace(/''/g, "'"));
  return paths;
}

export function compileFilter(filter: BoundFilter, indexed: IndexedPaths = NONE): Sql {
  switch (filter.kind) {
    case 'and':
    case 'or': {
      const left = compileFilter(filter.left, indexed);
      const right = compileFilter(filter.right, indexed);
      return { text: `(${left.text}) ${filter.kind === 'and' ? 'AND' : 'OR'} (${right.text})`, params: [...left.params, ...right.params] };
    }
    case 'not': {
      // A missing field makes the inner SQL NULL, and NOT NULL is NULL: coalesce so the complement matches it.
      // (Inside AND and OR a NULL acts as false, so only NOT needs this.)
      const inner = compileFilter(filter.filter, indexed);
      return { text: `NOT COALESCE((${inner.text}), 0)`, params: inner.params };
    }
    case 'compare': {
      const literal = literalFor(filter.field, filter.value);
      if (literal === undefined) return { text: '0', params: [] };
      const value = typedValue(filter.field.path, filter.field.type, indexed);
      // The operator comes from the closed CompareOp union, mapped to SQL here rather than spliced.
      return { text: `${value.text} ${SQL_OPERATORS[filter.op]} ?`, params: [...value.params, literal] };
    }
    case 'like': {
      const value = typedValue(filter.field.path, 'string', indexed);
      const match = { text: `mreg_like(${value.text}, ?, ?)`, params: [...value.params, filter.pattern, filter.caseInsensitive ? 1 : 0] };
      // The value must be a string outside the negation too: NOT LIKE must not match a missing value either.
      if (filter.negated === true) return { text: `${value.text} IS NOT NULL AND NOT ${match.text}`, params: [...value.params, ...match.params] };
      // A case-sensitive pattern with a literal head only matches values in a range of the index: say so, and
      // mreg_like decides on the values in that range.
      const range = filter.caseInsensitive ? undefined : prefixRange(likePrefix(filter.pattern));
      if (range === undefined) return match;
      const upper = range.end === undefined ? { text: '', params: [] } : { text: ` AND ${value.text} < ?`, params: [...value.params, range.end] };
      return { text: `${value.text} >= ?${upper.text} AND ${match.text}`, params: [...value.params, range.start, ...upper.params, ...match.params] };
    }
    case 'in': {
      const literals = filter.values.map((candidate) => literalFor(filter.field, candidate)).filter((candidate) => candidate !== undefined);
      if (literals.length === 0) return { text: '0', params: [] };
      const value = typedValue(filter.field.path, filter.field.type, indexed);
      return { text: `${value.text} IN (${literals.map(() => '?').join(', ')})`, params: [...value.params, ...literals] };
    }
    default:
      return assertNever(filter);
  }
}

const SQL_OPERATORS = { '=': '=', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' } as const;

/**
 * The literal text every value a LIKE pattern matches starts with: the characters before the first unescaped
 * `%` or `_`, escapes resolved (like-pattern.ts reads `\x` as x, and a final lone `\` as itself).
 */
export function likePrefix(pattern: string): string {
  let prefix = '';
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i];
    if (char === '%' || char === '_') break;
    prefix += char === '\\' && i + 1 < chars.length ? chars[++i] : char;
  }
  return prefix;
}

/**
 * The range of strings that start with `prefix`, in code point order (SQLite's BINARY collation compares UTF-8
 * bytes, which is the same order): from the prefix itself to, exclusive, the prefix with its last code point
 * incremented (none when every code point is the largest). Undefined when there is no prefix, or when it holds a
 * NUL or a lone surrogate, which do not travel to SQLite unchanged.
 */
export function prefixRange(prefix: string): { readonly start: string; readonly end?: string } | undefined {
  const points = Array.from(prefix, (char) => char.codePointAt(0) as number);
  if (points.length === 0 || points.some((point) => point === 0 || (point >= 0xd800 && point <= 0xdfff))) return undefined;
  for (let last = points.length - 1; last >= 0; last--) {
    if (points[last] === 0x10ffff) continue;
    // No string holds a surrogate code point: the next code point after U+D7FF is U+E000.
    const next = points[last] === 0xd7ff ? 0xe000 : points[last] + 1;
    return { start: prefix, end: String.fromCodePoint(...points.slice(0, last), next) };
  }
  return { start: prefix };
}

/** What a page query needs: the collection's table, its filter, its order and where the page starts. */
export interface PageQuery {
  readonly table: string;
  readonly filter?: BoundFilter;
  readonly field: BoundField;
  readonly direction: 'asc' | 'desc';
  readonly after?: Cursor;
  /** Rows wanted (the page size plus one, to know whether more follow). */
  readonly limit: number;
}

/**
 * The SELECT of one keyset page: rows `id, doc, sort_key` in (sort_key direction, id ASC) order, NULL sort keys
 * being the smallest (first ascending, last descending), strictly after the cursor.
 *
 * Without a cursor it is one ordered query, which an index on the sort field serves in order. After a cursor, the
 * rows that follow form up to three runs, each of which an index serves as one range: the cursor's ties (same
 * sort key, larger id), the sort keys beyond the cursor's, and, where they come next, the missing keys (by id).
 * A single `sort_key > ? OR (sort_key = ? AND id > ?) OR sort_key IS NULL` would make SQLite walk the index from
 * its start on every page. The runs are read in one statement, each limited, and put in order by run.
 */
export function compilePage(query: PageQuery, indexed: IndexedPaths): Sql {
  const key = typedValue(query.field.path, query.field.type, indexed);
  const where = query.filter === undefined ? sql`1` : compileFilter(query.filter, indexed);
  // When the filter pins the sort key to one value, the order is the ids'. Said so, SQLite reads an index on the
  // field (then id) in order; it does not see by itself that an expression held equal needs no sorting.
  const byKey = pinsSortKey(query.filter, query.field) ? 'id ASC' : query.direction === 'desc' ? 'sort_key DESC, id ASC' : 'sort_key ASC, id ASC';
  const select = (condition: Sql, order: string): Sql => sql`SELECT id, doc, ${key} AS sort_key FROM ${raw(`"${query.table}"`)} WHERE mreg_within_budget() AND (${where}) AND (${condition}) ORDER BY ${raw(order)} LIMIT ${query.limit}`;

  if (query.after === undefined) return select(sql`1`, byKey);
  const value = literalFor(query.field, query.after.value);
  const id = query.after.id;
  let runs: Sql[];
  if (value === undefined) {
    // After a missing key: the other missing keys by id; ascending, every present key follows.
    const ties = select(sql`${key} IS NULL AND id > ${id}`, 'id ASC');
    runs = query.direction === 'asc' ? [ties, select(sql`${key} IS NOT NULL`, byKey)] : [ties];
  } else {
    const ties = select(sql`${key} = ${value} AND id > ${id}`, 'id ASC');
    if (query.direction === 'asc') runs = [ties, select(sql`${key} > ${value}`, byKey)];
    else runs = [ties, select(sql`${key} < ${value}`, byKey), select(sql`${key} IS NULL`, 'id ASC')];
  }
  if (runs.length === 1) return runs[0];
  // A compound SELECT's members cannot have an ORDER BY or LIMIT of their own; subqueries can.
  const members = runs.map((run, n) => sql`SELECT ${raw(String(n))} AS run, id, doc, sort_key FROM (${run})`);
  return sql`SELECT id, doc, sort_key FROM (${join(members, ' UNION ALL ')}) ORDER BY run ASC, ${raw(byKey)} LIMIT ${query.limit}`;
}

/** Whether every document the filter matches has the same value in `field` (an equality ANDed at its top). */
function pinsSortKey(filter: BoundFilter | undefined, field: BoundField): boolean {
  if (filter === undefined) return false;
  if (filter.kind === 'and') return pinsSortKey(filter.left, field) || pinsSortKey(filter.right, field);
  return (
    filter.kind === 'compare' &&
    filter.op === '=' &&
    (filter.field.type === 'number') === (field.type === 'number') &&
    jsonPath(filter.field.path) === jsonPath(field.path) &&
    literalFor(field, filter.value) !== undefined &&
    literalFor(filter.field, filter.value) === literalFor(field, filter.value)
  );
}

/**
 * SQL from a template: an Sql piece is spliced with its parameters, any other value becomes a bound parameter.
 * (Text that must be spliced as it is goes through raw(), and only ever holds what this module wrote.)
 */
function sql(strings: TemplateStringsArray, ...values: (Sql | SQLInputValue)[]): Sql {
  let text = strings[0];
  const params: SQLInputValue[] = [];
  values.forEach((value, i) => {
    if (isSql(value)) {
      text += value.text;
      params.push(...value.params);
    } else {
      text += '?';
      params.push(value);
    }
    text += strings[i + 1];
  });
  return { text, params };
}

function raw(text: string): Sql {
  return { text, params: [] };
}

function join(pieces: readonly Sql[], separator: string): Sql {
  return { text: pieces.map((piece) => piece.text).join(separator), params: pieces.flatMap((piece) => piece.params) };
}

function isSql(value: Sql | SQLInputValue): value is Sql {
  return typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && 'text' in value && 'params' in value;
}

function assertNever(value: never): never {
  throw new Error(`unexpected filter node ${JSON.stringify(value)}`);
}

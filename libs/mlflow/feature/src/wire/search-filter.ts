import { FILTER_LIMITS, FilterError } from '@mreg/shared/query';
import type { CompareOp, FilterNode, Literal } from '@mreg/shared/query';

/*
 * MLflow's search-filter language for registered models and model versions, translated to mreg's filter tree
 * (then bound and run like any `/api/v1` filter, with the same limits):
 *
 *   filter     := comparison ( AND comparison )*
 *   comparison := identifier ( = | != | < | <= | > | >= | LIKE | ILIKE ) value
 *               | identifier [NOT] IN ( value [, value]* )
 *               | identifier IS [NOT] NULL                       (tags and params of the tracking searches)
 *   identifier := attribute | (tags|tag) . key                    key: word characters and . - : /, or `quoted`, "quoted"
 *               | (metrics|metric) . key | (params|param|parameters|parameter) . key     (runs)
 *   value      := 'text' | "text" | number
 *
 * MLflow's two stores disagree on `tags.k != 'v'`: the registry's also matches entities without the tag (the
 * client always appends ``tag.`mlflow.prompt.is_prompt` != 'true'`` to model searches), so it becomes NOT (= …);
 * the tracking store joins the key, so for runs and experiments (`keyed: 'join'`) it needs the key.
 */

/** What each MLflow attribute is called in mreg's filter schema, and whether it holds numbers. */
export interface MlflowSearchSchema {
  readonly attributes: Readonly<Record<string, { readonly field: string; readonly numeric?: boolean }>>;
  /** mreg's prefix for tags, e.g. `tags`. */
  readonly tagPrefix: string;
  /** mreg's prefix for params (`params.<key>`, text compared like tags); runs only. */
  readonly paramPrefix?: string;
  /**
   * mreg's prefix for the latest metric values (`metrics.<key>`, numbers); runs only. `nanPrefix` reads the same
   * values as text: a NaN is kept as 'NaN', which MLflow counts as `!=` every number and nothing else.
   */
  readonly metrics?: { readonly prefix: string; readonly nanPrefix?: string };
  /** Other names MLflow accepts for an attribute (`created` for `start_time`). */
  readonly aliases?: Readonly<Record<string, string>>;
  /** Prefixes naming an attribute (default `attribute`, `attributes`, `attr`). */
  readonly attributePrefixes?: readonly string[];
  /** The attributes that take `IN` lists (default: every one). */
  readonly listAttributes?: readonly string[];
  /**
   * How a tag (or param) comparison treats entities without the key: `absent-matches-not-equal` (the registry,
   * default) or `join` (the tracking store: every comparison needs the key, and `IS [NOT] NULL` tests it).
   */
  readonly keyed?: 'absent-matches-not-equal' | 'join';
}

/** A schema's attributes from two tables, MLflow name → mreg field: the text attributes and the numeric ones. */
export function searchAttributes(text: Readonly<Record<string, string>>, numeric: Readonly<Record<string, string>> = {}): MlflowSearchSchema['attributes'] {
  return Object.fromEntries([...Object.entries(text).map(([name, field]) => [name, { field }] as const), ...Object.entries(numeric).map(([name, field]) => [name, { field, numeric: true }] as const)]);
}

/** One `order_by` clause resolved against a schema: mreg's field and direction. */
export interface MlflowOrder {
  readonly field: string;
  readonly direction: 'asc' | 'desc';
}

export const MODEL_SEARCH: MlflowSearchSchema = {
  attributes: searchAttributes({ name: 'name' }, { creation_timestamp: 'createdAt', last_updated_timestamp: 'updatedAt' }),
  tagPrefix: 'tags',
};

export const VERSION_SEARCH: MlflowSearchSchema = {
  attributes: searchAttributes({ name: 'name', run_id: 'runId', source_path: 'source' }, { version_number: 'version', creation_timestamp: 'createdAt', last_updated_timestamp: 'updatedAt' }),
  tagPrefix: 'tags',
};

type Token =
  | { readonly kind: 'ident'; readonly prefix?: string; readonly name: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'op'; readonly op: CompareOp }
  | { readonly kind: 'word'; readonly word: 'AND' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT' | 'IS' | 'NULL' }
  | { readonly kind: '(' | ')' | ',' | 'end' };

const WORDS = new Set(['AND', 'LIKE', 'ILIKE', 'IN', 'NOT', 'IS', 'NULL']);
const WORD_CHAR = /[A-Za-z0-9_]/;
const KEY_CHAR = /[A-Za-z0-9_.\-:/]/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const quoted = (quote: string): string => {
    let out = '';
    i++;
    for (;;) {
      if (i >= text.length) throw new FilterError(`unterminated ${quote}quoted${quote} text`);
      const c = text[i];
      if (c === '\\' && i + 1 < text.length) {
        out += text[i + 1];
        i += 2;
      } else if (c === quote && text[i + 1] === quote) {
        out += quote;
        i += 2;
      } else if (c === quote) {
        i++;
        return out;
      } else {
        out += c;
        i++;
      }
      if (out.length > FILTER_LIMITS.maxStringLength) throw new FilterError(`text longer than ${FILTER_LIMITS.maxStringLength} characters`);
    }
  };
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c });
      i++;
    } else if (c === "'" || c === '"') {
      tokens.push({ kind: 'string', value: quoted(c) });
    } else if (c === '!' || c === '=' || c === '<' || c === '>') {
      const two = text.slice(i, i + 2);
      const op = ['!=', '<=', '>=', '<>', '=='].includes(two) ? two : c;
      if (op === '!') throw new FilterError(`unexpected "!" at ${i + 1}`);
      tokens.push({ kind: 'op', op: (op === '<>' ? '!=' : op === '==' ? '=' : op) as CompareOp });
      i += op.length;
    } else if (/[0-9-]/.test(c)) {
      const m = /^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i));
      if (!m) throw new FilterError(`unexpected "${c}" at ${i + 1}`);
      tokens.push({ kind: 'number', value: Number(m[0]) });
      i += m[0].length;
    } else if (c === '`') {
      // A back-quoted attribute name, e.g. `name`.
      tokens.push({ kind: 'ident', name: identifierQuoted() });
    } else if (WORD_CHAR.test(c)) {
      let word = '';
      while (i < text.length && WORD_CHAR.test(text[i])) word += text[i++];
      if (WORDS.has(word.toUpperCase())) {
        tokens.push({ kind: 'word', word: word.toUpperCase() as 'AND' });
      } else if (text[i] === '.') {
        i++;
        const next = text[i];
        let key = '';
        if (next === '`' || next === '"') key = next === '`' ? identifierQuoted() : quoted('"');
        else while (i < text.length && KEY_CHAR.test(text[i])) key += text[i++];
        if (key === '') throw new FilterError(`missing key after "${word}."`);
        tokens.push({ kind: 'ident', prefix: word.toLowerCase(), name: key });
      } else {
        tokens.push({ kind: 'ident', name: word });
      }
    } else {
      throw new FilterError(`unexpected "${c}" at ${i + 1}`);
    }
    if (tokens.length > FILTER_LIMITS.maxPredicates * 8) throw new FilterError('filter is too long');
  }
  tokens.push({ kind: 'end' });
  return tokens;

  function identifierQuoted(): string {
    const end = text.indexOf('`', i + 1);
    if (end < 0) throw new FilterError('unterminated `quoted` name');
    const name = text.slice(i + 1, end);
    i = end + 1;
    return name;
  }
}

type KeyKind = 'attribute' | 'tag' | 'param' | 'metric';
interface Resolved {
  readonly field: string;
  readonly numeric: boolean;
  readonly kind: KeyKind;
  /** The attribute's MLflow name, or the key after the prefix. */
  readonly name: string;
}

const PREFIXES: Readonly<Record<string, KeyKind>> = {
  tag: 'tag',
  tags: 'tag',
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
};
const ATTRIBUTE_PREFIXES = ['attribute', 'attributes', 'attr'];

function resolveIdentifier(ident: Extract<Token, { kind: 'ident' }>, schema: MlflowSearchSchema): Resolved {
  const kind = ident.prefix === undefined ? 'attribute' : Object.hasOwn(PREFIXES, ident.prefix) ? PREFIXES[ident.prefix] : undefined;
  if (kind === 'tag') return { field: `${schema.tagPrefix}.${ident.name}`, numeric: false, kind, name: ident.name };
  if (kind === 'param' && schema.paramPrefix !== undefined) return { field: `${schema.paramPrefix}.${ident.name}`, numeric: false, kind, name: ident.name };
  if (kind === 'metric' && schema.metrics !== undefined) return { field: `${schema.metrics.prefix}.${ident.name}`, numeric: true, kind, name: ident.name };
  if (ident.prefix !== undefined && !(schema.attributePrefixes ?? ATTRIBUTE_PREFIXES).includes(ident.prefix)) {
    const others = [schema.metrics ? 'metrics.<key>' : '', schema.paramPrefix ? 'params.<key>' : '', 'tags.<key>'].filter((p) => p !== '');
    throw new FilterError(`unknown prefix "${ident.prefix}"; use ${others.join(', ')} or an attribute`);
  }
  const name = schema.aliases !== undefined && Object.hasOwn(schema.aliases, ident.name) ? schema.aliases[ident.name] : ident.name;
  const attribute = Object.hasOwn(schema.attributes, name) ? schema.attributes[name] : undefined;
  if (attribute === undefined) throw new FilterError(`unknown attribute "${ident.name}"; one of ${Object.keys(schema.attributes).join(', ')} or tags.<key>`);
  return { field: attribute.field, numeric: attribute.numeric === true, kind: 'attribute', name };
}

/** Parses an MLflow filter into mreg's filter tree (undefined for an empty filter); throws FilterError. */
export function translateMlflowFilter(text: string | undefined, schema: MlflowSearchSchema): FilterNode | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  if (text.length > FILTER_LIMITS.maxLength) throw new FilterError(`filter is longer than ${FILTER_LIMITS.maxLength} characters`);
  const tokens = tokenize(text);
  const joined = schema.keyed === 'join';
  let pos = 0;
  const take = () => tokens[pos++];
  let count = 0;
  const comparisons: FilterNode[] = [];
  for (;;) {
    if (++count > FILTER_LIMITS.maxPredicates) throw new FilterError(`at most ${FILTER_LIMITS.maxPredicates} comparisons`);
    comparisons.push(comparison());
    const next = take();
    if (next.kind === 'end') break;
    if (next.kind !== 'word' || next.word !== 'AND') throw new FilterError('comparisons are joined with AND (MLflow has no OR)');
  }
  return comparisons.reduce((left, right) => ({ kind: 'and', left, right }));

  function comparison(): FilterNode {
    const ident = take();
    if (ident.kind !== 'ident') throw new FilterError('expected an attribute or tags.<key>');
    const { field, numeric, kind, name } = resolveIdentifier(ident, schema);
    const keyed = kind === 'tag' || kind === 'param';
    const op = take();
    if (op.kind === 'op') {
      const value = kind === 'metric' ? metricValue(take(), name) : literal(take(), numeric);
      // The registry: an entity without the tag is "not equal" to any value. The tracking store joins the key.
      if (keyed && !joined && op.op === '!=') return { kind: 'not', filter: { kind: 'compare', field, op: '=', value } };
      if (keyed && op.op !== '=' && op.op !== '!=') throw new FilterError(`${kind === 'tag' ? 'tags' : 'params'} compare with =, !=, LIKE or ILIKE`);
      const compare: FilterNode = { kind: 'compare', field, op: op.op, value };
      // A NaN metric is `!=` every number, as in MLflow (its store keeps NaN apart from the numbers).
      if (kind === 'metric' && op.op === '!=' && schema.metrics?.nanPrefix !== undefined) {
        return { kind: 'or', left: compare, right: { kind: 'compare', field: `${schema.metrics.nanPrefix}.${name}`, op: '=', value: 'NaN' } };
      }
      return compare;
    }
    if (op.kind === 'word' && (op.word === 'LIKE' || op.word === 'ILIKE')) {
      const pattern = take();
      if (pattern.kind !== 'string') throw new FilterError(`${op.word} needs a quoted pattern`);
      if (numeric) throw new FilterError(`${op.word} applies to text attributes`);
      return { kind: 'like', field, pattern: pattern.value, caseInsensitive: op.word === 'ILIKE' };
    }
    if (op.kind === 'word' && op.word === 'IS') {
      let negated = false;
      let next = take();
      if (next.kind === 'word' && next.word === 'NOT') {
        negated = true;
        next = take();
      }
      if (next.kind !== 'word' || next.word !== 'NULL') throw new FilterError('expected NULL or NOT NULL after IS');
      if (!keyed || !joined) throw new FilterError(`IS ${negated ? 'NOT ' : ''}NULL applies to ${schema.paramPrefix ? 'params and ' : ''}tags`);
      // Any text matches '%': the key is there.
      const present: FilterNode = { kind: 'like', field, pattern: '%', caseInsensitive: false };
      return negated ? present : { kind: 'not', filter: present };
    }
    if (op.kind === 'word' && (op.word === 'IN' || op.word === 'NOT')) {
      if (op.word === 'NOT') {
        const inWord = take();
        if (inWord.kind !== 'word' || inWord.word !== 'IN') throw new FilterError('expected IN after NOT');
      }
      if (kind !== 'attribute') throw new FilterError(`${kind === 'metric' ? 'metrics' : kind === 'param' ? 'params' : 'tags'} do not take IN`);
      if (schema.listAttributes !== undefined && !schema.listAttributes.includes(name)) {
        throw new FilterError(`only ${schema.listAttributes.join(', ')} take a list of values (IN)`);
      }
      if (take().kind !== '(') throw new FilterError('IN needs a parenthesised list');
      const values: Literal[] = [];
      for (;;) {
        values.push(literal(take(), numeric));
        if (values.length > FILTER_LIMITS.maxInValues) throw new FilterError(`IN takes at most ${FILTER_LIMITS.maxInValues} values`);
        const sep = take();
        if (sep.kind === ')') break;
        if (sep.kind !== ',') throw new FilterError('expected "," or ")" in the IN list');
      }
      const inNode: FilterNode = { kind: 'in', field, values };
      return op.word === 'NOT' ? { kind: 'not', filter: inNode } : inNode;
    }
    throw new FilterError(`expected a comparison operator after ${ident.prefix ? `${ident.prefix}.` : ''}${ident.name}`);
  }

  function literal(token: Token, numeric: boolean): Literal {
    if (token.kind === 'string') return numeric ? numberOf(token.value) : token.value;
    if (token.kind === 'number') return token.value;
    throw new FilterError('expected a quoted value or a number');
  }

  // MLflow takes metric values as numbers only: `metrics.acc > '0.5'` is refused.
  function metricValue(token: Token, key: string): number {
    if (token.kind !== 'number') throw new FilterError(`metrics.${key} compares with a number`);
    return token.value;
  }

  function numberOf(text: string): number {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) throw new FilterError(`"${text.slice(0, 64)}" is not a number`);
    return n;
  }
}

/**
 * MLflow's `order_by` clauses (`metrics.acc DESC`, `attributes.start_time`, ``params.`lr` ASC``) resolved against
 * the schema; undefined when there are none. mreg pages on one sort key, so the first clause orders; the others
 * are checked like it (a duplicate key is refused, as MLflow does). `attributesOnly`: experiments sort by
 * attributes alone.
 */
export function translateMlflowOrderBy(clauses: readonly string[], schema: MlflowSearchSchema, options: { attributesOnly?: boolean } = {}): MlflowOrder | undefined {
  const orders: MlflowOrder[] = [];
  for (const clause of clauses) {
    if (clause.trim() === '') continue;
    const tokens = tokenize(clause);
    const [ident, direction, end] = tokens;
    const directionWord = direction?.kind === 'ident' && direction.prefix === undefined ? direction.name.toLowerCase() : undefined;
    const shaped = ident?.kind === 'ident' && (direction?.kind === 'end' || ((directionWord === 'asc' || directionWord === 'desc') && end?.kind === 'end'));
    if (!shaped || ident.kind !== 'ident') throw new FilterError(`invalid order_by clause "${clause.slice(0, 100)}"; use <key> [ASC|DESC]`);
    const resolved = resolveIdentifier(ident, schema);
    if (options.attributesOnly === true && resolved.kind !== 'attribute') throw new FilterError(`invalid order_by clause "${clause.slice(0, 100)}": only attributes (${Object.keys(schema.attributes).join(', ')}) order`);
    if (orders.some((o) => o.field === resolved.field)) throw new FilterError(`order_by names ${ident.prefix ? `${ident.prefix}.` : ''}${ident.name} twice`);
    orders.push({ field: resolved.field, direction: directionWord === 'desc' ? 'desc' : 'asc' });
  }
  return orders[0];
}

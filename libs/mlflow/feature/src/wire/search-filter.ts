import { FILTER_LIMITS, FilterError } from '@mreg/shared/query';
import type { CompareOp, FilterNode, Literal } from '@mreg/shared/query';

/*
 * MLflow's search-filter language for registered models and model versions, translated to mreg's filter tree
 * (then bound and run like any `/api/v1` filter, with the same limits):
 *
 *   filter     := comparison ( AND comparison )*
 *   comparison := identifier ( = | != | < | <= | > | >= | LIKE | ILIKE ) value
 *               | identifier [NOT] IN ( value [, value]* )
 *   identifier := attribute | (tags|tag) . key          key: word characters and . - : /, or `quoted`, "quoted"
 *   value      := 'text' | "text" | number
 *
 * One MLflow rule differs from mreg's: `tags.k != 'v'` also matches entities without the tag (the client
 * always appends ``tag.`mlflow.prompt.is_prompt` != 'true'`` to model searches), so it becomes NOT (= …).
 */

/** What each MLflow attribute is called in mreg's filter schema, and whether it holds numbers. */
export interface MlflowSearchSchema {
  readonly attributes: Readonly<Record<string, { readonly field: string; readonly numeric?: boolean }>>;
  /** mreg's prefix for tags, e.g. `tags`. */
  readonly tagPrefix: string;
}

export const MODEL_SEARCH: MlflowSearchSchema = {
  attributes: {
    name: { field: 'name' },
    creation_timestamp: { field: 'createdAt', numeric: true },
    last_updated_timestamp: { field: 'updatedAt', numeric: true },
  },
  tagPrefix: 'tags',
};

export const VERSION_SEARCH: MlflowSearchSchema = {
  attributes: {
    name: { field: 'name' },
    run_id: { field: 'runId' },
    source_path: { field: 'source' },
    version_number: { field: 'version', numeric: true },
    creation_timestamp: { field: 'createdAt', numeric: true },
    last_updated_timestamp: { field: 'updatedAt', numeric: true },
  },
  tagPrefix: 'tags',
};

type Token =
  | { readonly kind: 'ident'; readonly prefix?: string; readonly name: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'op'; readonly op: CompareOp }
  | { readonly kind: 'word'; readonly word: 'AND' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT' }
  | { readonly kind: '(' | ')' | ',' | 'end' };

const WORDS = new Set(['AND', 'LIKE', 'ILIKE', 'IN', 'NOT']);
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
      const op = (['!=', '<=', '>=', '<>', '=='].includes(two) ? two : c);
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

/** Parses an MLflow filter into mreg's filter tree (undefined for an empty filter); throws FilterError. */
export function translateMlflowFilter(text: string | undefined, schema: MlflowSearchSchema): FilterNode | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  if (text.length > FILTER_LIMITS.maxLength) throw new FilterError(`filter is longer than ${FILTER_LIMITS.maxLength} characters`);
  const tokens = tokenize(text);
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
    const { field, numeric, tag } = resolve(ident);
    const op = take();
    if (op.kind === 'op') {
      const value = literal(take(), numeric);
      // MLflow: an entity without the tag is "not equal" to any value.
      if (tag && op.op === '!=') return { kind: 'not', filter: { kind: 'compare', field, op: '=', value } };
      if (tag && op.op !== '=') throw new FilterError(`tags compare with =, !=, LIKE or ILIKE`);
      return { kind: 'compare', field, op: op.op, value };
    }
    if (op.kind === 'word' && (op.word === 'LIKE' || op.word === 'ILIKE')) {
      const pattern = take();
      if (pattern.kind !== 'string') throw new FilterError(`${op.word} needs a quoted pattern`);
      if (numeric) throw new FilterError(`${op.word} applies to text attributes`);
      return { kind: 'like', field, pattern: pattern.value, caseInsensitive: op.word === 'ILIKE' };
    }
    if (op.kind === 'word' && (op.word === 'IN' || op.word === 'NOT')) {
      if (op.word === 'NOT') {
        const inWord = take();
        if (inWord.kind !== 'word' || inWord.word !== 'IN') throw new FilterError('expected IN after NOT');
      }
      if (tag) throw new FilterError('tags do not take IN');
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

  function resolve(ident: Extract<Token, { kind: 'ident' }>): { field: string; numeric: boolean; tag: boolean } {
    if (ident.prefix === 'tags' || ident.prefix === 'tag') return { field: `${schema.tagPrefix}.${ident.name}`, numeric: false, tag: true };
    if (ident.prefix !== undefined && !['attribute', 'attributes', 'attr'].includes(ident.prefix)) {
      throw new FilterError(`unknown prefix "${ident.prefix}"; use tags.<key> or an attribute`);
    }
    const attribute = Object.hasOwn(schema.attributes, ident.name) ? schema.attributes[ident.name] : undefined;
    if (attribute === undefined) throw new FilterError(`unknown attribute "${ident.name}"; one of ${Object.keys(schema.attributes).join(', ')} or tags.<key>`);
    return { field: attribute.field, numeric: attribute.numeric === true, tag: false };
  }

  function literal(token: Token, numeric: boolean): Literal {
    if (token.kind === 'string') return numeric ? numberOf(token.value) : token.value;
    if (token.kind === 'number') return token.value;
    throw new FilterError('expected a quoted value or a number');
  }

  function numberOf(text: string): number {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) throw new FilterError(`"${text.slice(0, 64)}" is not a number`);
    return n;
  }
}

import { hasControlChars, hasLoneSurrogate } from '@mreg/shared/util';
import type { CompareOp, FilterNode, Literal } from './filter.ast';
import { FilterError } from './filter.errors';

/** Bounds that keep a hostile filter cheap to parse and to run. */
export const FILTER_LIMITS = {
  maxLength: 4096,
  maxPredicates: 50,
  maxDepth: 16,
  maxInValues: 100,
  maxStringLength: 1024,
  /** '%' wildcards per LIKE pattern: regex engines (MongoDB's) backtrack badly on many of them. */
  maxLikeWildcards: 16,
} as const;

type Keyword = 'AND' | 'OR' | 'NOT' | 'LIKE' | 'ILIKE' | 'IN';

type Token =
  | { readonly kind: 'field'; readonly name: string; readonly column: number }
  | { readonly kind: 'string'; readonly value: string; readonly column: number }
  | { readonly kind: 'number'; readonly value: number; readonly raw: string; readonly column: number }
  | { readonly kind: 'op'; readonly op: CompareOp; readonly raw: string; readonly column: number }
  | { readonly kind: 'keyword'; readonly word: Keyword; readonly column: number }
  | { readonly kind: '(' | ')' | ','; readonly column: number }
  | { readonly kind: 'end'; readonly column: number };

const KEYWORDS: ReadonlySet<string> = new Set<Keyword>(['AND', 'OR', 'NOT', 'LIKE', 'ILIKE', 'IN']);
const IDENT_START = /[A-Za-z_]/;
const IDENT_CHAR = /[A-Za-z0-9_]/;
const KEY_CHAR = /[A-Za-z0-9_\-:]/;
const DIGIT = /[0-9]/;
const WHITESPACE = /[ \t\r\n]/;

function describe(token: Token): string {
  switch (token.kind) {
    case 'field':
      return `'${token.name}'`;
    case 'string':
      return 'a string';
    case 'number':
      return `'${token.raw}'`;
    case 'op':
      return `'${token.raw}'`;
    case 'keyword':
      return token.word;
    case '(':
    case ')':
    case ',':
      return `'${token.kind}'`;
    case 'end':
      return 'the end of the filter';
    default: {
      const unreachable: never = token;
      return unreachable;
    }
  }
}

class Tokenizer {
  private pos = 0;
  private readonly tokens: Token[] = [];

  constructor(private readonly text: string) {}

  run(): Token[] {
    for (;;) {
      while (this.pos < this.text.length && WHITESPACE.test(this.text[this.pos])) this.pos++;
      if (this.pos >= this.text.length) {
        this.tokens.push({ kind: 'end', column: this.pos + 1 });
        return this.tokens;
      }
      this.next();
    }
  }

  private next(): void {
    const c = this.text[this.pos];
    const column = this.pos + 1;
    if (c === '(' || c === ')' || c === ',') {
      this.pos++;
      this.tokens.push({ kind: c, column });
    } else if (c === "'" || c === '"') {
      this.tokens.push({ kind: 'string', value: this.quoted(c, 'string'), column });
    } else if (DIGIT.test(c) || (c === '-' && DIGIT.test(this.text.charAt(this.pos + 1)))) {
      this.number(column);
    } else if (IDENT_START.test(c)) {
      this.word(column);
    } else if ('=!<>'.includes(c)) {
      this.operator(column);
    } else {
      const shown = hasControlChars(c) ? `U+${c.charCodeAt(0).toString(16).padStart(4, '0')}` : `'${c}'`;
      throw new FilterError(`unexpected character ${shown} at column ${column}`, column);
    }
  }

  private operator(column: number): void {
    const two = this.text.slice(this.pos, this.pos + 2);
    const ops: ReadonlyArray<readonly [string, CompareOp]> = [
      ['<=', '<='],
      ['>=', '>='],
      ['!=', '!='],
      ['<>', '!='],
      ['<', '<'],
      ['>', '>'],
      ['=', '='],
    ];
    for (const [raw, op] of ops) {
      if (two.startsWith(raw)) {
        this.pos += raw.length;
        this.tokens.push({ kind: 'op', op, raw, column });
        return;
      }
    }
    throw new FilterError(`unexpected character '${this.text[this.pos]}' at column ${column}; did you mean '!='?`, column);
  }

  private number(column: number): void {
    const m = /^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.text.slice(this.pos, this.pos + 64));
    const raw = m ? m[0] : '';
    const after = this.text.charAt(this.pos + raw.length);
    // `12abc`, `1.` or `1.2.3` are typos, not a number followed by something else.
    if (!m || IDENT_CHAR.test(after) || after === '.') {
      throw new FilterError(`malformed number at column ${column}`, column);
    }
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new FilterError(`number out of range at column ${column}`, column);
    this.pos += raw.length;
    this.tokens.push({ kind: 'number', value: value === 0 ? 0 : value, raw, column });
  }

  private word(column: number): void {
    const start = this.pos;
    while (this.pos < this.text.length && IDENT_CHAR.test(this.text[this.pos])) this.pos++;
    const head = this.text.slice(start, this.pos);
    if (this.text[this.pos] !== '.') {
      const upper = head.toUpperCase();
      if (KEYWORDS.has(upper)) this.tokens.push({ kind: 'keyword', word: upper as Keyword, column });
      else this.tokens.push({ kind: 'field', name: head, column });
      return;
    }
    this.pos++; // '.'
    // After a prefix such as `tags.` comes the key: backquoted, or dotted segments (tags.mlflow.source.type).
    if (this.text[this.pos] === '`') {
      const key = this.quoted('`', 'key');
      if (key.length === 0) throw new FilterError(`empty key after '${head}.' at column ${column}`, column);
      const after = this.text.charAt(this.pos);
      if (after === '.' || after === '`' || KEY_CHAR.test(after)) {
        throw new FilterError(`unexpected '${after}' after backquoted key at column ${this.pos + 1}`, this.pos + 1);
      }
      this.tokens.push({ kind: 'field', name: `${head}.${key}`, column });
      return;
    }
    const keyStart = this.pos;
    for (;;) {
      const segmentStart = this.pos;
      while (this.pos < this.text.length && KEY_CHAR.test(this.text[this.pos])) this.pos++;
      if (this.pos === segmentStart) {
        throw new FilterError(`expected a key after '${this.text.slice(start, this.pos)}' at column ${this.pos + 1}`, this.pos + 1);
      }
      if (this.text[this.pos] !== '.') break;
      this.pos++;
    }
    this.tokens.push({ kind: 'field', name: `${head}.${this.text.slice(keyStart, this.pos)}`, column });
  }

  /** Reads a literal or key quoted by `quote`; a doubled quote stands for the quote itself. */
  private quoted(quote: string, what: 'string' | 'key'): string {
    const column = this.pos + 1;
    this.pos++;
    let value = '';
    for (;;) {
      const end = this.text.indexOf(quote, this.pos);
      if (end < 0) throw new FilterError(`unterminated ${what} starting at column ${column}`, column);
      value += this.text.slice(this.pos, end);
      this.pos = end + 1;
      if (this.text[this.pos] !== quote) break;
      value += quote;
      this.pos++;
    }
    // Control characters are never meaningful in a literal and usually hide something.
    if (hasControlChars(value)) throw new FilterError(`control character in ${what} starting at column ${column}`, column);
    if (hasLoneSurrogate(value)) throw new FilterError(`invalid Unicode in ${what} starting at column ${column}`, column);
    if (what === 'string' && value.length > FILTER_LIMITS.maxStringLength) {
      throw new FilterError(`string starting at column ${column} is longer than ${FILTER_LIMITS.maxStringLength} characters`, column);
    }
    return value;
  }
}

class Parser {
  private pos = 0;
  private depth = 0;
  private predicates = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parse(): FilterNode {
    const node = this.or();
    const rest = this.peek();
    if (rest.kind !== 'end') {
      const message = rest.kind === ')' ? `unmatched ')' at column ${rest.column}` : `expected AND, OR or the end of the filter at column ${rest.column}, found ${describe(rest)}`;
      throw this.error(message, rest);
    }
    return node;
  }

  private or(): FilterNode {
    return this.chain('OR', () => this.and());
  }

  private and(): FilterNode {
    return this.chain('AND', () => this.primary());
  }

  /** `operand (keyword operand)*`, grouped from the left. */
  private chain(keyword: 'AND' | 'OR', operand: () => FilterNode): FilterNode {
    let left = operand();
    while (this.isKeyword(keyword)) {
      this.pos++;
      left = { kind: keyword === 'AND' ? 'and' : 'or', left, right: operand() };
    }
    return left;
  }

  private primary(): FilterNode {
    const token = this.peek();
    if (token.kind !== '(') return this.predicate();
    if (this.depth >= FILTER_LIMITS.maxDepth) {
      throw this.error(`parentheses nested deeper than ${FILTER_LIMITS.maxDepth} at column ${token.column}`, token);
    }
    this.pos++;
    const inner = this.peek();
    if (inner.kind === ')') throw this.error(`empty parentheses at column ${token.column}`, token);
    this.depth++;
    const node = this.or();
    this.depth--;
    const close = this.peek();
    if (close.kind !== ')') {
      throw this.error(`expected ')' to close the '(' at column ${token.column}, found ${describe(close)} at column ${close.column}`, close);
    }
    this.pos++;
    return node;
  }

  private predicate(): FilterNode {
    const fieldToken = this.peek();
    if (fieldToken.kind !== 'field') {
      throw this.error(`expected a field name at column ${fieldToken.column}, found ${describe(fieldToken)}`, fieldToken);
    }
    this.predicates++;
    if (this.predicates > FILTER_LIMITS.maxPredicates) {
      throw this.error(`too many conditions (at most ${FILTER_LIMITS.maxPredicates}) at column ${fieldToken.column}`, fieldToken);
    }
    this.pos++;
    const field = fieldToken.name;
    const next = this.peek();
    if (next.kind === 'op') {
      this.pos++;
      return { kind: 'compare', field, op: next.op, value: this.literal(`after '${next.raw}'`) };
    }
    if (next.kind === 'keyword') {
      if (next.word === 'NOT') {
        this.pos++;
        const like = this.peek();
        if (like.kind !== 'keyword' || (like.word !== 'LIKE' && like.word !== 'ILIKE')) {
          throw this.error(`expected LIKE or ILIKE after NOT at column ${like.column}, found ${describe(like)}`, like);
        }
        this.pos++;
        return { kind: 'like', field, pattern: this.pattern(like.word), caseInsensitive: like.word === 'ILIKE', negated: true };
      }
      if (next.word === 'LIKE' || next.word === 'ILIKE') {
        this.pos++;
        return { kind: 'like', field, pattern: this.pattern(next.word), caseInsensitive: next.word === 'ILIKE' };
      }
      if (next.word === 'IN') {
        this.pos++;
        return { kind: 'in', field, values: this.inList() };
      }
    }
    throw this.error(`expected an operator (=, !=, <>, <, <=, >, >=, LIKE, ILIKE, IN) after '${field}' at column ${next.column}, ` + `found ${describe(next)}`, next);
  }

  private pattern(keyword: string): string {
    const token = this.peek();
    if (token.kind !== 'string') {
      throw this.error(`expected a quoted pattern after ${keyword} at column ${token.column}, found ${describe(token)}`, token);
    }
    this.pos++;
    const wildcards = token.value.split('%').length - 1;
    if (wildcards > FILTER_LIMITS.maxLikeWildcards) {
      throw this.error(`a ${keyword} pattern may have at most ${FILTER_LIMITS.maxLikeWildcards} '%' wildcards (column ${token.column})`, token);
    }
    return token.value;
  }

  private inList(): Literal[] {
    const open = this.peek();
    if (open.kind !== '(') throw this.error(`expected '(' after IN at column ${open.column}, found ${describe(open)}`, open);
    this.pos++;
    if (this.peek().kind === ')') throw this.error(`empty IN list at column ${open.column}`, open);
    const values: Literal[] = [];
    for (;;) {
      if (values.length >= FILTER_LIMITS.maxInValues) {
        throw this.error(`IN list at column ${open.column} has more than ${FILTER_LIMITS.maxInValues} values`, open);
      }
      values.push(this.literal(values.length === 0 ? "after '('" : "after ','"));
      const sep = this.peek();
      if (sep.kind === ')') {
        this.pos++;
        return values;
      }
      if (sep.kind !== ',') {
        throw this.error(`expected ',' or ')' in IN list at column ${sep.column}, found ${describe(sep)}`, sep);
      }
      this.pos++;
    }
  }

  private literal(where: string): Literal {
    const token = this.peek();
    if (token.kind === 'string' || token.kind === 'number') {
      this.pos++;
      return token.value;
    }
    throw this.error(`expected a value ${where} at column ${token.column}, found ${describe(token)}`, token);
  }

  private isKeyword(word: Keyword): boolean {
    const token = this.peek();
    return token.kind === 'keyword' && token.word === word;
  }

  private peek(): Token {
    // The tokenizer always ends with an 'end' token, and nothing consumes past it.
    return this.tokens[Math.min(this.pos, this.tokens.length - 1)];
  }

  private error(message: string, token: Token): FilterError {
    return new FilterError(message, token.column);
  }
}

/**
 * Parses filter text such as `name LIKE 'fraud%' AND tags.team = 'risk'` into its syntax tree. Field names are
 * returned as written (dotted); `bindFilter` checks them against a schema. Throws FilterError, whose message
 * names the column and what was expected, for anything outside the grammar or its limits.
 */
export function parseFilter(text: string): FilterNode {
  if (typeof text !== 'string') throw new FilterError('filter must be text');
  if (text.length > FILTER_LIMITS.maxLength) {
    throw new FilterError(`filter is longer than ${FILTER_LIMITS.maxLength} characters`);
  }
  if (text.trim().length === 0) throw new FilterError("filter is empty; expected a condition such as name = 'x'", 1);
  return new Parser(new Tokenizer(text).run()).parse();
}

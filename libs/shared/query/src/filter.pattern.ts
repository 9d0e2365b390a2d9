import type { FieldType, FilterSchema } from './filter.ast';
import { FILTER_LIMITS } from './filter.parser';

// What the published contract says about `?filter=`. The grammar nests parentheses and counts conditions, which no
// regular expression can say exactly; its tokens are regular. FILTER_TOKENS_PATTERN matches every text parseFilter
// accepts (and more: a sequence of valid tokens that does not parse), so a text it refuses is always refused (400).
// The fields a list filters on, and their types, are published beside it (`x-filter-fields`).

/** Each token is taken whole (as the tokenizer does): a lookahead after it keeps one way to split a text. */
const TOKEN = [
  '[ \\t\\r\\n]',
  '[(),]',
  // A quoted string: a doubled quote stands for the quote itself.
  "'(?:[^']|'')*'(?!')",
  '"(?:[^"]|"")*"(?!")',
  // A number: not followed by a letter, digit, "_" or "." (`12abc` and `1.2.3` are typos).
  '-?[0-9]+(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?(?![A-Za-z0-9_.])',
  // A field, or a keyword.
  '[A-Za-z_][A-Za-z0-9_]*(?![A-Za-z0-9_.])',
  // A prefixed field: `tags.team`, `tags.mlflow.source.type`, or a backquoted key (`tags.`a b``).
  '[A-Za-z_][A-Za-z0-9_]*\\.(?:`(?:[^`]|``)+`|[A-Za-z0-9_:-]+(?:\\.[A-Za-z0-9_:-]+)*)(?![A-Za-z0-9_.:`-])',
  // Comparison operators.
  '<=|<>|<(?![=>])|>=|>(?!=)|!=|=',
];

/** The texts `?filter=` may be: a sequence of the grammar's tokens (or nothing, or only blanks: no filter). */
export const FILTER_TOKENS_PATTERN = `^(?:${TOKEN.join('|')})*$`;

const TYPE_NAMES: Readonly<Record<FieldType, string>> = { string: 'text', number: 'number', timestamp: 'timestamp' };

/** The fields a filter over `schema` may name and their types; a prefix is written `<prefix>.*`. */
export function filterFields(schema: FilterSchema): Record<string, FieldType> {
  const fields: Record<string, FieldType> = {};
  for (const [name, field] of Object.entries(schema.fields)) fields[name] = field.type;
  for (const [prefix, field] of Object.entries(schema.prefixes ?? {})) fields[`${prefix}.*`] = field.type;
  return fields;
}

/** A filter parameter's description: the grammar, and the fields of this list with their types. */
export function filterDescription(schema: FilterSchema): string {
  const fields = Object.entries(filterFields(schema)).map(([name, type]) => `${name.replace(/\.\*$/, '.<key>')} (${TYPE_NAMES[type]})`);
  return (
    "Conditions such as name LIKE 'fraud%' AND tags.team = 'risk': <field> =, !=, <>, <, <=, >, >= <value>; <field> [NOT] LIKE | ILIKE '<pattern>' (text fields); " +
    `<field> IN (<value>, ...); joined by AND and OR, grouped with parentheses. Values are quoted text or numbers; timestamps are ISO-8601 text or epoch milliseconds. ` +
    `At most ${FILTER_LIMITS.maxLength} characters, ${FILTER_LIMITS.maxPredicates} conditions, ${FILTER_LIMITS.maxDepth} levels of parentheses, ${FILTER_LIMITS.maxInValues} values in an IN list ` +
    `and ${FILTER_LIMITS.maxLikeWildcards} '%' in a pattern. Fields: ${fields.join(', ')}. ` +
    'A filter that does not parse, names another field or compares a field with a value of another type is refused with 400.'
  );
}

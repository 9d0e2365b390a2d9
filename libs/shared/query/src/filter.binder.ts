import { hasControlChars, parseIsoInstant } from '@mreg/shared/util';
import type { BoundField, BoundFilter, FieldType, FilterNode, FilterSchema, Literal } from './filter.ast';
import { FilterError } from './filter.errors';

/** Longest key accepted after a prefix such as `tags.`; matches the registry's tag/param/metric key limit. */
export const PREFIX_KEY_MAX = 250;

// Plain decimal notation only: `Number('')`, `Number(' 1 ')` or `Number('0x10')` would be surprisingly lenient.
const NUMERIC_TEXT = /^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;
// The range `Date` can represent (±100,000,000 days around the epoch).
const MAX_EPOCH_MS = 8.64e15;

function allowedFields(schema: FilterSchema): string {
  const names = Object.keys(schema.fields);
  for (const prefix of Object.keys(schema.prefixes ?? {})) names.push(`${prefix}.<key>`);
  return names.join(', ');
}

function resolveField(name: string, schema: FilterSchema): BoundField {
  // Own properties only, so `constructor` or `__proto__` are unknown fields rather than prototype members.
  if (Object.hasOwn(schema.fields, name)) {
    const field = schema.fields[name];
    return { name, path: field.path, type: field.type };
  }
  const prefixes = schema.prefixes ?? {};
  // Longest prefix first, so that nested prefixes (`a.` and `a.b.`) resolve to the more specific one.
  const candidates = Object.keys(prefixes).sort((a, b) => b.length - a.length);
  for (const prefix of candidates) {
    if (!name.startsWith(`${prefix}.`)) continue;
    const key = name.slice(prefix.length + 1);
    if (key.length === 0) throw new FilterError(`missing key after '${prefix}.'`);
    if (key.length > PREFIX_KEY_MAX) throw new FilterError(`key of '${prefix}' is longer than ${PREFIX_KEY_MAX} characters`);
    if (hasControlChars(key)) throw new FilterError(`key of '${prefix}' contains a control character`);
    const field = prefixes[prefix];
    return { name, path: [...field.path, key], type: field.type };
  }
  throw new FilterError(`unknown field '${name}'; allowed fields: ${allowedFields(schema)}`);
}

function coerce(value: Literal, field: BoundField): Literal {
  const type: FieldType = field.type;
  switch (type) {
    case 'string':
      return typeof value === 'number' ? String(value) : value;
    case 'number': {
      if (typeof value === 'number') return value;
      const n = Number(value);
      if (!NUMERIC_TEXT.test(value) || !Number.isFinite(n)) {
        throw new FilterError(`field '${field.name}' holds numbers; '${value}' is not a number`);
      }
      return n === 0 ? 0 : n;
    }
    case 'timestamp': {
      if (typeof value === 'number') {
        if (!Number.isInteger(value) || Math.abs(value) > MAX_EPOCH_MS) {
          throw new FilterError(`field '${field.name}' holds timestamps; ${value} is not a valid epoch-milliseconds value`);
        }
        return new Date(value).toISOString();
      }
      const instant = parseIsoInstant(value);
      if (!instant) {
        throw new FilterError(`field '${field.name}' holds timestamps; '${value}' is not an ISO-8601 date (2024-03-01) or date-time ` + `with a time zone (2024-03-01T12:00:00Z)`);
      }
      return instant.toISOString();
    }
    default: {
      const unreachable: never = type;
      return unreachable;
    }
  }
}

/**
 * Checks every field of `node` against `schema` and coerces each value to its field's type: numbers from
 * numeric text, timestamps to full ISO-8601 UTC strings (from ISO text or epoch milliseconds), strings from
 * numbers. LIKE/ILIKE apply to string fields only. Throws FilterError naming the offending field.
 */
export function bindFilter(node: FilterNode, schema: FilterSchema): BoundFilter {
  switch (node.kind) {
    case 'and':
    case 'or':
      return { kind: node.kind, left: bindFilter(node.left, schema), right: bindFilter(node.right, schema) };
    case 'not':
      return { kind: 'not', filter: bindFilter(node.filter, schema) };
    case 'compare': {
      const field = resolveField(node.field, schema);
      return { kind: 'compare', field, op: node.op, value: coerce(node.value, field) };
    }
    case 'like': {
      const field = resolveField(node.field, schema);
      const keyword = `${node.negated ? 'NOT ' : ''}${node.caseInsensitive ? 'ILIKE' : 'LIKE'}`;
      if (field.type !== 'string') {
        throw new FilterError(`${keyword} applies only to text fields; '${field.name}' holds ${field.type}s`);
      }
      const bound = { kind: 'like', field, pattern: node.pattern, caseInsensitive: node.caseInsensitive } as const;
      return node.negated ? { ...bound, negated: true } : bound;
    }
    case 'in': {
      const field = resolveField(node.field, schema);
      return { kind: 'in', field, values: node.values.map((v) => coerce(v, field)) };
    }
    default: {
      const unreachable: never = node;
      return unreachable;
    }
  }
}

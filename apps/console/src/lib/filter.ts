// The filter box's logic: the API parses filters (one grammar, docs/api/openapi.json); the console only builds
// them from chips and shows where the API says a filter went wrong.

/** A text literal of the filter grammar: single quotes, a quote inside doubled. */
export function quote(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

const PLAIN_KEY = /^[A-Za-z0-9_.:/-]{1,250}$/;

/** A `tags.<key>` (or `params.`/`metrics.`) field; keys with other characters are backquoted. */
export function fieldOf(prefix: 'tags' | 'params' | 'metrics' | 'aliases', key: string): string {
  return PLAIN_KEY.test(key) ? `${prefix}.${key}` : `${prefix}.\`${key.replaceAll('`', '``')}\``;
}

export interface TagChip {
  readonly key: string;
  readonly value: string;
}

/** The filter the API gets: what the user typed AND one condition per tag chip. */
export function combinedFilter(typed: string, chips: readonly TagChip[]): string {
  const parts = [typed.trim(), ...chips.map((chip) => `${fieldOf('tags', chip.key)} = ${quote(chip.value)}`)].filter((part) => part.length > 0);
  if (parts.length <= 1) return parts[0] ?? '';
  return parts.map((part, i) => (i === 0 && chips.length > 0 && /\bOR\b/i.test(part) ? `(${part})` : part)).join(' AND ');
}

/** The 1-based column an API error message points at (`... at column 12`), if it names one. */
export function errorColumn(message: string): number | undefined {
  const match = /\bat column (\d+)\b/.exec(message);
  if (!match?.[1]) return undefined;
  const column = Number(match[1]);
  return Number.isSafeInteger(column) && column >= 1 ? column : undefined;
}

export interface MarkedFilter {
  readonly before: string;
  readonly at: string;
  readonly after: string;
}

/**
 * The filter split around the column the error names, to underline it (the character there, or a space past the
 * end when the filter stopped too early). Undefined when the message names no column inside what the user typed.
 */
export function markError(filter: string, message: string): MarkedFilter | undefined {
  const column = errorColumn(message);
  if (column === undefined || column > filter.length + 1) return undefined;
  const index = column - 1;
  return { before: filter.slice(0, index), at: filter.slice(index, index + 1) || ' ', after: filter.slice(index + 1) };
}

/** Tag chips parsed from the URL's `tag=key:value` parameters. */
export function chipsFrom(values: readonly string[]): TagChip[] {
  return values.flatMap((raw) => {
    const at = raw.indexOf(':');
    return at > 0 ? [{ key: raw.slice(0, at), value: raw.slice(at + 1) }] : [];
  });
}

export function chipParam(chip: TagChip): string {
  return `${chip.key}:${chip.value}`;
}

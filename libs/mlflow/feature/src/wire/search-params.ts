import { ApiError } from '@mreg/platform/runtime';

/**
 * `order_by` of MLflow's searches (repeatable: `name ASC`, `last_updated_timestamp DESC`…) as mreg's sort
 * (`field asc|desc`). mreg pages on one sort key, so the first clause orders the page; later clauses are
 * checked like the first and otherwise only break ties as mreg does (stable, by document id).
 */
export function sortFor(orderBy: readonly string[], keys: Readonly<Record<string, string>>): string | undefined {
  const clauses = orderBy.filter((clause) => clause.trim() !== '').map((clause) => sortClause(clause, keys));
  return clauses[0];
}

function sortClause(clause: string, keys: Readonly<Record<string, string>>): string {
  const m = /^\s*(?:attributes?\.|attr\.)?`?([A-Za-z_]+)`?(?:\s+(ASC|DESC))?\s*$/i.exec(clause);
  const key = m?.[1]?.toLowerCase();
  if (!m || key === undefined || !Object.hasOwn(keys, key)) {
    throw new ApiError('INVALID_ARGUMENT', `invalid order_by clause "${clause.slice(0, 100)}"; use <key> [ASC|DESC] with a key among ${Object.keys(keys).join(', ')}`);
  }
  return `${keys[key]} ${(m[2] ?? 'ASC').toLowerCase()}`;
}

/**
 * `max_results` as MLflow defines it for a search (default, MLflow's own upper bound), served in pages of at
 * most `servedMax`: a larger request is answered with that many and a `next_page_token`, which MLflow's
 * protocol allows.
 */
export function pageSizeFor(maxResults: number | undefined, limits: { readonly default: number; readonly max: number; readonly servedMax: number }): string {
  const asked = maxResults ?? limits.default;
  if (!Number.isInteger(asked) || asked < 1) throw new ApiError('INVALID_ARGUMENT', `max_results must be a positive integer, got ${asked}`);
  if (asked > limits.max) throw new ApiError('INVALID_ARGUMENT', `max_results must be at most ${limits.max}, got ${asked}`);
  return String(Math.min(asked, limits.servedMax));
}

/** A repeated query parameter (`order_by=a&order_by=b`) or a JSON list, as a list of strings. */
export function listOf(raw: unknown): string[] {
  if (raw === undefined || raw === null) return [];
  const values = Array.isArray(raw) ? (raw as unknown[]) : [raw];
  if (!values.every((v): v is string => typeof v === 'string')) throw new ApiError('INVALID_ARGUMENT', 'expected a list of strings');
  if (values.length > 20) throw new ApiError('INVALID_ARGUMENT', 'at most 20 values');
  return values;
}

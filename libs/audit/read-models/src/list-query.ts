import { ApiQuery } from '@nestjs/swagger';
import type { ApiQueryOptions } from '@nestjs/swagger';
import type { ReadCollection } from '@mreg/platform/read-store';
import { ApiError } from '@mreg/platform/runtime';
import { FILTER_LIMITS, FILTER_TOKENS_PATTERN, PREFIX_KEY_MAX, bindFilter, decodePageToken, encodePageToken, filterDescription, filterFields, parseFilter, parsePageSize, queryFingerprint } from '@mreg/shared/query';
import type { BoundField, BoundFilter, FilterSchema, Literal } from '@mreg/shared/query';

/** What a client may pass to any list endpoint. */
export interface ListParams {
  readonly filter?: string;
  readonly orderBy?: string;
  readonly pageSize?: string;
  readonly pageToken?: string;
}

export interface ListResult<R> {
  readonly items: R[];
  readonly nextPageToken: string | null;
}

const ORDER_BY = /^\s*([A-Za-z_][A-Za-z0-9_.:/-]{0,300})(?:\s+(asc|desc))?\s*$/i;

/** What `\s` matches in an ECMAScript regex, spelled out: other regex engines (a client's, a generator's) differ. */
const WS = String.raw`[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]`;

/**
 * The `orderBy` values a list over `schema` accepts, as an OpenAPI pattern: empty (the default order), or one of its
 * fields (or `<prefix>.<key>`), optionally followed by `asc` or `desc` in any case.
 */
export function orderByPattern(schema: FilterSchema): string {
  const escape = (name: string) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const fields = Object.keys(schema.fields)
    .filter((name) => ORDER_BY.test(name))
    .map(escape);
  const prefixes = Object.keys(schema.prefixes ?? {}).map((prefix) => `${escape(prefix)}\\.[A-Za-z0-9_.:/-]{1,${Math.min(PREFIX_KEY_MAX, 300 - prefix.length)}}`);
  return `^${WS}*(?:(?:${[...fields, ...prefixes].join('|')})(?:${WS}+(?:[aA][sS][cC]|[dD][eE][sS][cC]))?)?${WS}*$`;
}

/**
 * Documents a list route's `filter` and `orderBy` by the schema it filters and sorts on (listPage binds both to the
 * same one): the filter's tokens, its fields and their types (`x-filter-fields`, `<prefix>.*` for a prefix), and the
 * fields it sorts on.
 */
export function ApiOrderBy(schema: FilterSchema): MethodDecorator {
  const filter = ApiQuery({
    name: 'filter',
    required: false,
    description: filterDescription(schema),
    schema: { type: 'string', maxLength: FILTER_LIMITS.maxLength, pattern: FILTER_TOKENS_PATTERN },
    'x-filter-fields': filterFields(schema),
  } as ApiQueryOptions);
  const orderBy = ApiQuery({ name: 'orderBy', required: false, description: 'field [asc|desc]', schema: { type: 'string', pattern: orderByPattern(schema) } });
  return (target, key, descriptor) => {
    filter(target, key, descriptor);
    orderBy(target, key, descriptor);
  };
}

export function fieldOf(name: string, schema: FilterSchema): BoundField {
  const bound = bindFilter({ kind: 'compare', field: name, op: '=', value: 0 }, schema);
  if (bound.kind !== 'compare') throw new Error('unreachable');
  return bound.field;
}

export const eq = (field: string, value: Literal): BoundFilter => ({
  kind: 'compare',
  field: { name: field, path: [field], type: typeof value === 'number' ? 'number' : 'string' },
  op: '=',
  value,
});

export function and(...filters: (BoundFilter | undefined)[]): BoundFilter | undefined {
  return filters.filter((f): f is BoundFilter => f !== undefined).reduce<BoundFilter | undefined>((acc, f) => (acc ? { kind: 'and', left: acc, right: f } : f), undefined);
}

/** Parses filter, order and page parameters, runs the keyset query and issues the next page token. */
export async function listPage<D extends object, R>(
  collection: ReadCollection<D>,
  schema: FilterSchema,
  params: ListParams,
  options: { scope?: BoundFilter; scopeKey: string; defaultOrder: string; map: (doc: D) => R; maxPageSize?: number },
): Promise<ListResult<R>> {
  const pageSize = parsePageSize(params.pageSize, { default: 50, max: options.maxPageSize ?? 1000 });
  const userFilter = params.filter !== undefined && params.filter.trim() !== '' ? bindFilter(parseFilter(params.filter), schema) : undefined;
  const orderText = params.orderBy !== undefined && params.orderBy.trim() !== '' ? params.orderBy : options.defaultOrder;
  const match = ORDER_BY.exec(orderText);
  if (!match?.[1]) throw new ApiError('INVALID_ARGUMENT', 'orderBy must be "<field>" or "<field> asc|desc"');
  const sortField = fieldOf(match[1], schema);
  const direction = (match[2] ?? 'asc').toLowerCase() as 'asc' | 'desc';
  const fingerprint = queryFingerprint([options.scopeKey, params.filter ?? '', sortField.name, direction]);
  const after = params.pageToken !== undefined && params.pageToken !== '' ? decodePageToken(params.pageToken, fingerprint) : undefined;
  const page = await collection.find({
    ...(and(options.scope, userFilter) ? { filter: and(options.scope, userFilter) } : {}),
    sort: { field: sortField, direction },
    limit: pageSize,
    ...(after ? { after } : {}),
  });
  return {
    items: page.items.map(options.map),
    nextPageToken: page.next ? encodePageToken(page.next, fingerprint) : null,
  };
}

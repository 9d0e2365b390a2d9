import { usePageTrail } from '../lib/use-page-trail';
import { useId } from 'react';
import { ok } from '../api/client';
import { ErrorMessage, Loading, Pager, Time } from '../components/common';
import { FilterBox } from '../components/filter-box';
import { chipParam, chipsFrom, combinedFilter } from '../lib/filter';
import type { TagChip } from '../lib/filter';
import { Link, navigate } from '../lib/navigation';
import { href } from '../lib/routes';
import { useSession } from '../lib/session';
import { POLL_MS, useLoad } from '../lib/use-load';

export const MODEL_ORDERS: { value: string; label: string }[] = [
  { value: 'name asc', label: 'Name (A–Z)' },
  { value: 'name desc', label: 'Name (Z–A)' },
  { value: 'updatedAt desc', label: 'Recently changed' },
  { value: 'createdAt desc', label: 'Newest' },
  { value: 'versionCount desc', label: 'Most versions' },
];

const PAGE_SIZE = 25;

/** The catalog: every model the caller may read, searched with the filter grammar, tag chips, sort, pages. */
export function CatalogPage({ query }: { query: URLSearchParams }) {
  const { api } = useSession();
  const typed = query.get('filter') ?? '';
  const chips = chipsFrom(query.getAll('tag'));
  const orderBy = query.get('orderBy') ?? 'name asc';
  const pageToken = query.get('page') ?? undefined;
  const pages = usePageTrail(pageToken, (token) => go({ page: token }));
  const filter = combinedFilter(typed, chips);
  const sortId = useId();

  const go = (change: { filter?: string; chips?: TagChip[]; orderBy?: string; page?: string | undefined }) =>
    navigate(
      href.catalog({
        filter: change.filter ?? typed,
        tag: (change.chips ?? chips).map(chipParam),
        orderBy: (change.orderBy ?? orderBy) === 'name asc' ? undefined : (change.orderBy ?? orderBy),
        page: 'page' in change ? change.page : undefined,
      }),
    );

  const models = useLoad(() => ok(api.GET('/api/v1/models', { params: { query: { ...(filter ? { filter } : {}), orderBy, pageSize: PAGE_SIZE, ...(pageToken ? { pageToken } : {}) } } })), `${filter}|${orderBy}|${pageToken ?? ''}`, POLL_MS);

  return (
    <>
      <div className="page-head">
        <h1>Models</h1>
        <Link to={href.versions()}>Search versions across models →</Link>
      </div>
      <div className="card">
        <FilterBox
          label="Filter models"
          value={typed}
          placeholder="name LIKE 'fraud%' AND tags.team = 'risk'"
          hint="Filter grammar: name, description, createdBy, updatedAt, latestVersion, versionCount, tags.<key>, aliases.<key> with =, !=, <, >, LIKE, IN, AND, OR, parentheses."
          error={models.error}
          onSubmit={(value) => {
            pages.reset();
            go({ filter: value, page: undefined });
          }}
        />
        <div className="toolbar">
          {chips.length > 0 ? (
            <ul className="chips" aria-label="Tag filters">
              {chips.map((chip) => (
                <li key={chipParam(chip)}>
                  <span className="chip">
                    {chip.key} = {chip.value}
                    <button type="button" aria-label={`Remove tag filter ${chip.key} = ${chip.value}`} onClick={() => go({ chips: chips.filter((c) => chipParam(c) !== chipParam(chip)), page: undefined })}>
                      ×
                    </button>
                  </span>
                </li>
              ))}
            </ul>
          ) : (
            <span className="muted">Select a tag on a model to filter by it.</span>
          )}
          <label htmlFor={sortId}>Sort</label>
          <select id={sortId} value={orderBy} onChange={(event) => go({ orderBy: event.target.value, page: undefined })}>
            {MODEL_ORDERS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        {models.error && !(models.error.code === 'INVALID_ARGUMENT' && /filter/i.test(models.error.message)) ? <ErrorMessage error={models.error} /> : null}
        {models.data ? (
          <>
            <table className="list" data-testid="models">
              <caption className="visually-hidden">Models</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Description</th>
                  <th scope="col">Tags</th>
                  <th scope="col">Aliases</th>
                  <th scope="col" className="num">
                    Versions
                  </th>
                  <th scope="col">Changed</th>
                </tr>
              </thead>
              <tbody>
                {models.data.items.map((model) => (
                  <tr key={model.id}>
                    <td>
                      <Link to={href.model(model.name)}>{model.name}</Link>
                    </td>
                    <td className="desc">{model.description}</td>
                    <td>
                      <ul className="chips">
                        {Object.entries(model.tags).map(([key, value]) => (
                          <li key={key}>
                            <button
                              type="button"
                              className="chip chip-button"
                              title={`Show only models with ${key} = ${value}`}
                              onClick={() => (chips.some((c) => c.key === key && c.value === value) ? undefined : go({ chips: [...chips, { key, value: String(value) }], page: undefined }))}
                            >
                              {key}: {String(value)}
                            </button>
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td>
                      {Object.entries(model.aliases).map(([alias, version]) => (
                        <span key={alias} className="alias">
                          @{alias}→v{String(version)}
                        </span>
                      ))}
                    </td>
                    <td className="num">{model.versionCount}</td>
                    <td>
                      <Time iso={model.updatedAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {models.data.items.length === 0 ? <p className="muted">No model matches.</p> : null}
            <Pager label="Models" next={models.data.nextPageToken} {...pages} />
          </>
        ) : models.loading ? (
          <Loading what="models" />
        ) : null}
      </div>
    </>
  );
}

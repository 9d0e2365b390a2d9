import { usePageTrail } from '../lib/use-page-trail';
import { useId, useState } from 'react';
import { ok } from '../api/client';
import { ErrorMessage, Loading, Pager, StageBadge, Time } from '../components/common';
import { FilterBox } from '../components/filter-box';
import { metric } from '../lib/format';
import { Link, navigate } from '../lib/navigation';
import { href } from '../lib/routes';
import { useSession } from '../lib/session';
import { POLL_MS, useLoad } from '../lib/use-load';

const ORDERS = [
  { value: 'createdAt desc', label: 'Newest' },
  { value: 'createdAt asc', label: 'Oldest' },
  { value: 'name asc', label: 'Model name' },
  { value: 'stageChangedAt desc', label: 'Stage changed recently' },
];

/** Versions across every model, searched with the filter grammar (stage, metrics, params, tags, lineage). */
export function VersionSearchPage({ query }: { query: URLSearchParams }) {
  const { api } = useSession();
  const filter = query.get('filter') ?? '';
  const orderBy = query.get('orderBy') ?? 'createdAt desc';
  const pageToken = query.get('page') ?? undefined;
  const pages = usePageTrail(pageToken, (token) => go({ page: token }));
  const [picked, setPicked] = useState<{ model: string; version: number }[]>([]);
  const sortId = useId();
  const go = (change: { filter?: string; orderBy?: string; page?: string | undefined }) =>
    navigate(href.versions({ filter: change.filter ?? filter, orderBy: (change.orderBy ?? orderBy) === 'createdAt desc' ? undefined : (change.orderBy ?? orderBy), page: change.page }));
  const versions = useLoad(() => ok(api.GET('/api/v1/versions', { params: { query: { ...(filter ? { filter } : {}), orderBy, pageSize: 25, ...(pageToken ? { pageToken } : {}) } } })), `${filter}|${orderBy}|${pageToken ?? ''}`, POLL_MS);
  const isPicked = (model: string, version: number) => picked.some((p) => p.model === model && p.version === version);
  return (
    <>
      <div className="page-head">
        <h1>Version search</h1>
        <Link to={href.catalog()}>← Models</Link>
      </div>
      <div className="card">
        <FilterBox
          label="Filter versions"
          value={filter}
          placeholder="stage = 'production' AND metrics.auc >= 0.9"
          hint="Fields: model, version, stage, description, runId, source, createdBy, createdAt, stageChangedAt, tags.<key>, params.<key>, metrics.<key>, lineage.codeCommit, lineage.codeRepository, lineage.pipeline."
          error={versions.error}
          onSubmit={(value) => {
            pages.reset();
            go({ filter: value, page: undefined });
          }}
        />
        <div className="toolbar">
          <label htmlFor={sortId}>Sort</label>
          <select id={sortId} value={orderBy} onChange={(event) => go({ orderBy: event.target.value, page: undefined })}>
            {ORDERS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
          <Link to={href.compare(picked)} className={`button${picked.length < 2 ? ' disabled' : ''}`} aria-disabled={picked.length < 2}>
            Compare {picked.length} selected
          </Link>
        </div>
        {versions.error && !(versions.error.code === 'INVALID_ARGUMENT' && /filter/i.test(versions.error.message)) ? <ErrorMessage error={versions.error} /> : null}
        {versions.data ? (
          <>
            <table className="list" data-testid="versions">
              <caption className="visually-hidden">Versions</caption>
              <thead>
                <tr>
                  <th scope="col">Compare</th>
                  <th scope="col">Model</th>
                  <th scope="col">Version</th>
                  <th scope="col">Stage</th>
                  <th scope="col">Metrics</th>
                  <th scope="col">Registered</th>
                </tr>
              </thead>
              <tbody>
                {versions.data.items.map((v) => (
                  <tr key={`${v.modelId}/${v.version}`}>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Select ${v.model} version ${v.version} to compare`}
                        checked={isPicked(v.model, v.version)}
                        disabled={!isPicked(v.model, v.version) && picked.length >= 4}
                        onChange={(event) => setPicked(event.target.checked ? [...picked, { model: v.model, version: v.version }] : picked.filter((p) => !(p.model === v.model && p.version === v.version)))}
                      />
                    </td>
                    <td>
                      <Link to={href.model(v.model)}>{v.model}</Link>
                    </td>
                    <td>
                      <Link to={href.version(v.model, v.version)}>v{v.version}</Link>
                    </td>
                    <td>
                      <StageBadge stage={v.stage} />
                    </td>
                    <td className="metrics">
                      {Object.entries(v.metrics)
                        .slice(0, 4)
                        .map(([k, value]) => `${k} ${metric(value)}`)
                        .join(' · ')}
                    </td>
                    <td>
                      <Time iso={v.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {versions.data.items.length === 0 ? <p className="muted">No version matches.</p> : null}
            <Pager label="Versions" next={versions.data.nextPageToken} {...pages} />
          </>
        ) : versions.loading ? (
          <Loading what="versions" />
        ) : null}
      </div>
    </>
  );
}

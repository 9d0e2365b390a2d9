import { usePageTrail } from '../lib/use-page-trail';
import { useId, useState } from 'react';
import { done, ok } from '../api/client';
import type { Api, ApprovalPolicy, Model, ModelAsOf } from '../api/client';
import { useAction } from '../components/action';
import { AsOfPicker, ErrorMessage, KeyValues, Loading, Pager, Section, StageBadge, Time } from '../components/common';
import { MetricChart } from '../components/metric-chart';
import { seriesOf } from '../lib/chart';
import { quote } from '../lib/filter';
import { metric } from '../lib/format';
import { Link, navigate } from '../lib/navigation';
import { href } from '../lib/routes';
import { abilities, useSession } from '../lib/session';
import { POLL_MS, useLoad } from '../lib/use-load';

const STAGES = ['development', 'staging', 'production', 'archived'] as const;

/** The versions of a page as they were at `asOf`: the version list has no asOf, each version does. */
async function versionsAsOf(api: Api, name: string, asOf: string, pageToken: string | undefined) {
  const page = await ok(api.GET('/api/v1/models/{name}/versions', { params: { path: { name }, query: { filter: `createdAt <= ${quote(asOf)}`, orderBy: 'version desc', pageSize: 20, ...(pageToken ? { pageToken } : {}) } } }));
  const items = await Promise.all(
    page.items.map(async (v) => {
      const past = await ok(api.GET('/api/v1/models/{name}/versions/{version}', { params: { path: { name, version: v.version }, query: { asOf } } }));
      return { ...v, ...past, artifacts: v.artifacts };
    }),
  );
  return { items, nextPageToken: page.nextPageToken };
}

function ModelEditor({ model, onChanged }: { model: Model | ModelAsOf; onChanged: () => void }) {
  const { api } = useSession();
  const ids = { description: useId(), key: useId(), value: useId(), rename: useId() };
  const [description, setDescription] = useState(model.description);
  const [tagKey, setTagKey] = useState('');
  const [tagValue, setTagValue] = useState('');
  const [newName, setNewName] = useState('');
  const action = useAction(onChanged);
  const name = model.name;
  return (
    <Section title="Edit">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void action.run(() => done(api.PATCH('/api/v1/models/{name}', { params: { path: { name } }, body: { description } })), 'Description saved.');
        }}
      >
        <label htmlFor={ids.description}>Description</label>
        <textarea id={ids.description} rows={3} value={description} onChange={(event) => setDescription(event.target.value)} />
        <button type="submit" disabled={action.busy}>
          Save description
        </button>
      </form>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          void action
            .run(() => done(api.PUT('/api/v1/models/{name}/tags/{key}', { params: { path: { name, key: tagKey.trim() } }, body: { value: tagValue } })), `Tag ${tagKey} set.`)
            .then((okay) => {
              if (okay) {
                setTagKey('');
                setTagValue('');
              }
            });
        }}
      >
        <label htmlFor={ids.key}>Tag key</label>
        <input id={ids.key} value={tagKey} onChange={(event) => setTagKey(event.target.value)} required />
        <label htmlFor={ids.value}>Value</label>
        <input id={ids.value} value={tagValue} onChange={(event) => setTagValue(event.target.value)} />
        <button type="submit" disabled={action.busy}>
          Set tag
        </button>
      </form>
      {Object.keys(model.tags).length > 0 ? (
        <ul className="chips" aria-label="Remove a tag">
          {Object.keys(model.tags).map((key) => (
            <li key={key}>
              <button type="button" className="chip chip-button" onClick={() => void action.run(() => done(api.DELETE('/api/v1/models/{name}/tags/{key}', { params: { path: { name, key } } })), `Tag ${key} removed.`)}>
                Remove {key}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          const to = newName.trim();
          void action.run(() => done(api.POST('/api/v1/models/{name}/rename', { params: { path: { name } }, body: { newName: to } }))).then((okay) => okay && navigate(href.model(to), { replace: true }));
        }}
      >
        <label htmlFor={ids.rename}>New name</label>
        <input id={ids.rename} value={newName} onChange={(event) => setNewName(event.target.value)} required />
        <button type="submit" disabled={action.busy}>
          Rename
        </button>
      </form>
      {action.done ? (
        <p className="success" role="status">
          {action.done}
        </p>
      ) : null}
      <ErrorMessage error={action.error} title="Not changed" />
    </Section>
  );
}

function PolicyTable({ policy }: { policy: ApprovalPolicy }) {
  return (
    <table className="kv">
      <caption className="visually-hidden">Approval policy</caption>
      <thead>
        <tr>
          <th scope="col">Moving to</th>
          <th scope="col">Approvals needed</th>
          <th scope="col">From role</th>
        </tr>
      </thead>
      <tbody>
        {STAGES.map((stage) => (
          <tr key={stage}>
            <th scope="row">
              <StageBadge stage={stage} />
            </th>
            <td>{policy[stage].requiredApprovals === 0 ? 'none (applied at once)' : policy[stage].requiredApprovals}</td>
            <td>{policy[stage].requiredApprovals === 0 ? '–' : policy[stage].approverRole}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A model: what it is, its policy, its versions with chosen metrics, one metric charted across versions. */
export function ModelPage({ name, query }: { name: string; query: URLSearchParams }) {
  const { api, me } = useSession();
  const can = abilities(me);
  const asOf = query.get('asOf') ?? undefined;
  const chosen = (query.get('metrics') ?? '').split(',').filter((m) => m.length > 0);
  const chartMetric = query.get('chart') ?? undefined;
  const pageToken = query.get('page') ?? undefined;
  const pages = usePageTrail(pageToken, (token) => setQuery({ page: token }));
  const [picked, setPicked] = useState<number[]>([]);
  const chartId = useId();
  const setQuery = (change: Record<string, string | undefined>) => {
    const next: Record<string, string | undefined> = { asOf, metrics: chosen.join(',') || undefined, chart: chartMetric, page: pageToken, ...change };
    navigate(href.model(name, next), { replace: !('asOf' in change) });
  };

  const model = useLoad(() => ok(api.GET('/api/v1/models/{name}', { params: { path: { name }, query: asOf ? { asOf } : {} } })), `${name}|${asOf ?? ''}`, asOf ? undefined : POLL_MS);
  const policy = useLoad(() => ok(api.GET('/api/v1/models/{name}/policy', { params: { path: { name } } })), name);
  const versions = useLoad(
    () => (asOf ? versionsAsOf(api, name, asOf, pageToken) : ok(api.GET('/api/v1/models/{name}/versions', { params: { path: { name }, query: { orderBy: 'version desc', pageSize: 50, ...(pageToken ? { pageToken } : {}) } } }))),
    `${name}|${asOf ?? ''}|${pageToken ?? ''}`,
    asOf ? undefined : POLL_MS,
  );
  // The chart reads up to 1000 versions of one model (one request), oldest first.
  const chartVersions = useLoad(
    () =>
      chartMetric ? ok(api.GET('/api/v1/models/{name}/versions', { params: { path: { name }, query: { orderBy: 'version asc', pageSize: 1000, ...(asOf ? { filter: `createdAt <= ${quote(asOf)}` } : {}) } } })) : Promise.resolve(undefined),
    `${name}|${chartMetric ?? ''}|${asOf ?? ''}`,
  );

  if (model.error && !model.data) {
    return (
      <>
        <h1>{name}</h1>
        <ErrorMessage error={model.error} />
        <Link to={href.catalog()}>← Models</Link>
      </>
    );
  }
  if (!model.data) return <Loading what={`model ${name}`} />;
  const m = model.data;
  const metricNames = [...new Set((versions.data?.items ?? []).flatMap((v) => Object.keys(v.metrics)))].sort();
  const latestVersion = m.latestVersion;
  return (
    <>
      <div className="page-head">
        <div>
          <p className="crumbs">
            <Link to={href.catalog()}>Models</Link> /
          </p>
          <h1>{m.name}</h1>
        </div>
        <AsOfPicker asOf={asOf} onChange={(value) => setQuery({ asOf: value, page: undefined })} />
      </div>
      {asOf ? (
        <p className="asof-note" role="status">
          Showing the model as it was at <Time iso={asOf} /> (revision {'revision' in m ? m.revision : '–'}). <Link to={href.model(name)}>Back to now</Link>
        </p>
      ) : null}
      <div className="grid">
        <Section title="About">
          <p className="description">{m.description || <span className="muted">No description.</span>}</p>
          <dl className="facts">
            <dt>Latest version</dt>
            <dd>{latestVersion ?? '–'}</dd>
            <dt>Registered</dt>
            <dd>
              <Time iso={m.createdAt} /> by {m.createdBy}
            </dd>
            <dt>Changed</dt>
            <dd>
              <Time iso={m.updatedAt} /> by {m.updatedBy}
            </dd>
          </dl>
          <h3>Tags</h3>
          <KeyValues values={m.tags} empty="No tags." caption="Tags" />
          <h3>Aliases</h3>
          <KeyValues values={Object.fromEntries(Object.entries(m.aliases).map(([alias, v]) => [`@${alias}`, `version ${String(v)}`]))} empty="No aliases." caption="Aliases" />
        </Section>
        <Section title="Approval policy">{policy.data ? <PolicyTable policy={policy.data.policy} /> : policy.error ? <ErrorMessage error={policy.error} /> : <Loading what="policy" />}</Section>
      </div>
      {can.edit && !asOf ? <ModelEditor key={`${m.name}|${m.updatedAt}`} model={m} onChanged={model.reload} /> : null}
      <Section
        title="Versions"
        actions={
          <Link to={href.compare(picked.map((version) => ({ model: name, version })))} className={`button${picked.length < 2 ? ' disabled' : ''}`} aria-disabled={picked.length < 2}>
            Compare {picked.length} selected
          </Link>
        }
      >
        {metricNames.length > 0 ? (
          <fieldset className="metric-picker">
            <legend>Metric columns</legend>
            {metricNames.map((metricName) => (
              <label key={metricName}>
                <input type="checkbox" checked={chosen.includes(metricName)} onChange={(event) => setQuery({ metrics: (event.target.checked ? [...chosen, metricName] : chosen.filter((c) => c !== metricName)).join(',') || undefined })} />
                {metricName}
              </label>
            ))}
          </fieldset>
        ) : null}
        <ErrorMessage error={versions.error} />
        {versions.data ? (
          <>
            <table className="list" data-testid="model-versions">
              <caption className="visually-hidden">Versions of {m.name}</caption>
              <thead>
                <tr>
                  <th scope="col">Compare</th>
                  <th scope="col">Version</th>
                  <th scope="col">Stage</th>
                  <th scope="col">Aliases</th>
                  {chosen.map((c) => (
                    <th scope="col" key={c} className="num">
                      {c}
                    </th>
                  ))}
                  <th scope="col">Run</th>
                  <th scope="col">Registered</th>
                </tr>
              </thead>
              <tbody>
                {versions.data.items.map((v) => (
                  <tr key={v.version}>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Select version ${v.version} to compare`}
                        checked={picked.includes(v.version)}
                        disabled={!picked.includes(v.version) && picked.length >= 4}
                        onChange={(event) => setPicked(event.target.checked ? [...picked, v.version] : picked.filter((p) => p !== v.version))}
                      />
                    </td>
                    <td>
                      <Link to={href.version(name, v.version, asOf ? { asOf } : undefined)}>v{v.version}</Link>
                    </td>
                    <td>
                      <StageBadge stage={v.stage} />
                    </td>
                    <td>
                      {v.aliases.map((a) => (
                        <span key={a} className="alias">
                          @{a}
                        </span>
                      ))}
                    </td>
                    {chosen.map((c) => (
                      <td key={c} className="num">
                        {metric(v.metrics[c])}
                      </td>
                    ))}
                    <td>{v.runId ? <Link to={href.versions({ filter: `runId = ${quote(v.runId)}` })}>{v.runId.slice(0, 12)}</Link> : '–'}</td>
                    <td>
                      <Time iso={v.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {versions.data.items.length === 0 ? <p className="muted">No versions{asOf ? ' at that time' : ''}.</p> : null}
            <Pager label="Versions" next={versions.data.nextPageToken} {...pages} />
          </>
        ) : (
          <Loading what="versions" />
        )}
      </Section>
      <Section title="Metric across versions">
        <div className="toolbar">
          <label htmlFor={chartId}>Metric</label>
          <select id={chartId} value={chartMetric ?? ''} onChange={(event) => setQuery({ chart: event.target.value || undefined })}>
            <option value="">Choose a metric…</option>
            {[...new Set([...metricNames, ...(chartMetric ? [chartMetric] : [])])].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
        {chartMetric ? chartVersions.data ? <MetricChart name={chartMetric} series={seriesOf(chartVersions.data.items, chartMetric)} /> : <ErrorMessage error={chartVersions.error} /> : null}
      </Section>
      <p>
        <Link to={href.audit({ model: name })}>History and integrity of {m.name} →</Link>
      </p>
    </>
  );
}

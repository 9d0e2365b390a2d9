import { useId, useState } from 'react';
import { done, ok } from '../api/client';
import type { Stage } from '../api/client';
import { useAction } from '../components/action';
import { AsOfPicker, ErrorMessage, KeyValues, Loading, Section, StageBadge, Time } from '../components/common';
import { Download } from '../components/download';
import { LineageGraph } from '../components/lineage-graph';
import { Timeline } from '../components/timeline';
import { bytes } from '../lib/format';
import { Link, navigate } from '../lib/navigation';
import { href } from '../lib/routes';
import { abilities, useSession } from '../lib/session';
import { POLL_MS, useLoad } from '../lib/use-load';

const TARGETS: Stage[] = ['development', 'staging', 'production', 'archived'];

function RequestTransition({ name, version, stage, onRequested }: { name: string; version: number; stage: Stage; onRequested: () => void }) {
  const { api } = useSession();
  const ids = { stage: useId(), comment: useId(), archive: useId() };
  const [target, setTarget] = useState<Stage>(stage === 'production' ? 'archived' : stage === 'staging' ? 'production' : 'staging');
  const [comment, setComment] = useState('');
  const [archiveExisting, setArchiveExisting] = useState(true);
  const action = useAction(onRequested);
  return (
    <form
      className="request"
      onSubmit={(event) => {
        event.preventDefault();
        void action.run(
          () =>
            done(
              api.POST('/api/v1/models/{name}/versions/{version}/transitions', { params: { path: { name, version } }, body: { stage: target, ...(comment ? { comment } : {}), archiveExisting: target === 'production' && archiveExisting } }),
            ),
          `Requested ${target}. Approvers see it in their inbox.`,
        );
      }}
    >
      <label htmlFor={ids.stage}>Move to</label>
      <select id={ids.stage} value={target} onChange={(event) => setTarget(event.target.value as Stage)}>
        {TARGETS.filter((t) => t !== stage).map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </select>
      <label htmlFor={ids.comment}>Why (shown to approvers)</label>
      <textarea id={ids.comment} rows={2} value={comment} onChange={(event) => setComment(event.target.value)} />
      {target === 'production' ? (
        <label className="check" htmlFor={ids.archive}>
          <input id={ids.archive} type="checkbox" checked={archiveExisting} onChange={(event) => setArchiveExisting(event.target.checked)} />
          Archive the current production version when this one is applied
        </label>
      ) : null}
      <button type="submit" className="primary" disabled={action.busy}>
        Request transition
      </button>
      {action.done ? (
        <p className="success" role="status">
          {action.done}
        </p>
      ) : null}
      <ErrorMessage error={action.error} title="Not requested" />
    </form>
  );
}

/** One version: what it is, where it came from, its files, its history; a transition to request. */
export function VersionPage({ name, version, query }: { name: string; version: number; query: URLSearchParams }) {
  const { api, me } = useSession();
  const can = abilities(me);
  const asOf = query.get('asOf') ?? undefined;
  const path = { name, version };
  const live = asOf ? undefined : POLL_MS;
  const v = useLoad(() => ok(api.GET('/api/v1/models/{name}/versions/{version}', { params: { path, query: asOf ? { asOf } : {} } })), `${name}|${version}|${asOf ?? ''}`, live);
  const provenance = useLoad(() => ok(api.GET('/api/v1/models/{name}/versions/{version}/provenance', { params: { path } })), `${name}|${version}`, live);
  const artifacts = useLoad(() => ok(api.GET('/api/v1/models/{name}/versions/{version}/artifacts', { params: { path } })), `${name}|${version}`, live);
  const history = useLoad(
    () => ok(api.GET('/api/v1/models/{name}/versions/{version}/history', { params: { path, query: { pageSize: 1000, ...(asOf ? { filter: `occurredAt <= '${asOf}'` } : {}) } } })),
    `${name}|${version}|${asOf ?? ''}`,
    live,
  );
  const open = useLoad(() => ok(api.GET('/api/v1/transitions', { params: { query: { model: name, version, status: 'pending' } } })), `${name}|${version}`, live);
  const reload = () => {
    v.reload();
    history.reload();
    open.reload();
    provenance.reload();
  };

  if (v.error && !v.data) {
    return (
      <>
        <h1>
          {name} v{version}
        </h1>
        <ErrorMessage error={v.error} />
        <Link to={href.model(name)}>← {name}</Link>
      </>
    );
  }
  if (!v.data) return <Loading what={`version ${version}`} />;
  const data = v.data;
  const files = asOf && 'asOf' in data ? data.artifacts : (artifacts.data?.items ?? []);
  return (
    <>
      <div className="page-head">
        <div>
          <p className="crumbs">
            <Link to={href.catalog()}>Models</Link> / <Link to={href.model(name, asOf ? { asOf } : undefined)}>{name}</Link> /
          </p>
          <h1>
            {name} v{version} <StageBadge stage={data.stage} />
          </h1>
        </div>
        <AsOfPicker asOf={asOf} onChange={(value) => navigate(href.version(name, version, value ? { asOf: value } : undefined))} />
      </div>
      {asOf ? (
        <p className="asof-note" role="status">
          Showing version {version} as it was at <Time iso={asOf} />. <Link to={href.version(name, version)}>Back to now</Link>
        </p>
      ) : null}
      <div className="grid">
        <Section title="About">
          <p className="description">{data.description || <span className="muted">No description.</span>}</p>
          <dl className="facts">
            <dt>Stage</dt>
            <dd>
              <StageBadge stage={data.stage} />
            </dd>
            <dt>Aliases</dt>
            <dd>{data.aliases.length > 0 ? data.aliases.map((a) => `@${a}`).join(', ') : '–'}</dd>
            <dt>Registered</dt>
            <dd>
              <Time iso={data.createdAt} /> by {data.createdBy}
            </dd>
            <dt>Source</dt>
            <dd className="mono">{data.source ?? '–'}</dd>
            <dt>Training run</dt>
            <dd className="mono">{data.runId ?? '–'}</dd>
          </dl>
          <p>
            <Link to={href.compare([{ model: name, version }, ...(version > 1 ? [{ model: name, version: version - 1 }] : [])])}>Compare with the previous version →</Link>
          </p>
        </Section>
        <Section title="Metrics">
          <KeyValues values={data.metrics} empty="No metrics." caption="Metrics" />
        </Section>
        <Section title="Parameters">
          <KeyValues values={data.params} empty="No parameters." caption="Parameters" />
        </Section>
        <Section title="Tags">
          <KeyValues values={data.tags} empty="No tags." caption="Tags" />
        </Section>
      </div>
      <Section title="Lineage">
        <LineageGraph version={`${name} v${version}`} lineage={data.lineage} runId={data.runId} />
      </Section>
      <Section title="Artifacts">
        {artifacts.error && !asOf ? <ErrorMessage error={artifacts.error} /> : null}
        {files.length === 0 ? (
          <p className="muted">No artifacts.</p>
        ) : (
          <table className="list" data-testid="artifacts">
            <caption className="visually-hidden">Artifacts</caption>
            <thead>
              <tr>
                <th scope="col">Path</th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col">SHA-256</th>
                <th scope="col">Download</th>
              </tr>
            </thead>
            <tbody>
              {files.map((file) => (
                <tr key={file.path}>
                  <td className="mono">{file.path}</td>
                  <td className="num">{bytes(file.size)}</td>
                  <td className="mono digest" title={file.sha256}>
                    {file.sha256}
                  </td>
                  <td>
                    <Download model={name} version={version} path={file.path} size={file.size} sha256={file.sha256} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <div className="grid">
        <Section title="Stage transitions">
          {open.data && open.data.items.length > 0 ? (
            <ul className="plain">
              {open.data.items.map((t) => (
                <li key={t.id}>
                  Pending: {t.fromStage} → <StageBadge stage={t.toStage} />, requested by {t.requestedBy} (<Time iso={t.requestedAt} />
                  ), {t.approvals.length} of {t.policy.requiredApprovals} approvals from role {t.policy.approverRole}. <Link to={href.approvals()}>Open the approvals inbox</Link>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No pending request.</p>
          )}
          {can.requestTransition && !asOf ? <RequestTransition name={name} version={version} stage={data.stage} onRequested={reload} /> : null}
          {me && !can.requestTransition ? <p className="muted">Your role ({me.roles.join(', ')}) cannot request transitions; contributors can.</p> : null}
        </Section>
        <Section title="Provenance">
          {provenance.data ? (
            <>
              <dl className="facts">
                <dt>Registered</dt>
                <dd>
                  <Time iso={provenance.data.registeredAt} /> by {provenance.data.registeredBy}
                </dd>
                <dt>Pipeline</dt>
                <dd>{provenance.data.training.pipeline ?? '–'}</dd>
                <dt>Code</dt>
                <dd className="mono">{[provenance.data.code.repository, provenance.data.code.commit].filter(Boolean).join(' @ ') || '–'}</dd>
                <dt>Datasets</dt>
                <dd>{provenance.data.datasets.map((d) => `${d.name}${d.digest ? ` (${d.digest})` : ''}`).join(', ') || '–'}</dd>
                <dt>Integrity</dt>
                <dd data-testid="provenance-integrity">
                  {provenance.data.integrity.verified ? '✓ hash chain verified' : '✗ hash chain broken'} ({provenance.data.integrity.streamsChecked} streams)
                </dd>
              </dl>
              <h3>Stage history</h3>
              {provenance.data.stageHistory.length === 0 ? (
                <p className="muted">Never moved.</p>
              ) : (
                <ul className="plain">
                  {provenance.data.stageHistory.map((s) => (
                    <li key={`${s.transitionId}${s.at}`}>
                      <Time iso={s.at} />: {s.from} → {s.to}
                      {s.requestedBy ? `, requested by ${s.requestedBy}` : ''}
                      {s.approvals.length > 0 ? `, approved by ${s.approvals.map((a) => a.by).join(', ')}` : ''}
                    </li>
                  ))}
                </ul>
              )}
            </>
          ) : provenance.error ? (
            <ErrorMessage error={provenance.error} />
          ) : (
            <Loading what="provenance" />
          )}
        </Section>
      </div>
      <Section title="History">{history.data ? <Timeline events={history.data.items} label={`History of ${name} v${version}`} /> : history.error ? <ErrorMessage error={history.error} /> : <Loading what="history" />}</Section>
    </>
  );
}

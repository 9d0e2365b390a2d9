import { useId, useState } from 'react';
import { ApiProblem, ok } from '../api/client';
import { ErrorMessage, Loading, StageBadge } from '../components/common';
import { compareRows, parseRefs } from '../lib/compare';
import type { ComparedVersion, Section } from '../lib/compare';
import { Link, navigate } from '../lib/navigation';
import { href } from '../lib/routes';
import { useSession } from '../lib/session';
import { useLoad } from '../lib/use-load';

const SECTIONS: { id: Section; title: string }[] = [
  { id: 'metrics', title: 'Metrics' },
  { id: 'params', title: 'Parameters' },
  { id: 'tags', title: 'Tags' },
  { id: 'lineage', title: 'Lineage' },
  { id: 'artifacts', title: 'Artifacts (SHA-256)' },
];

/** 2–4 versions side by side: params, metrics (best marked), tags, lineage, artifacts (same or other digest). */
export function ComparePage({ query }: { query: URLSearchParams }) {
  const { api } = useSession();
  const refs = parseRefs(query.getAll('v')).slice(0, 4);
  const onlyDifferences = query.get('diff') === '1';
  const ids = { model: useId(), version: useId(), diff: useId() };
  const [model, setModel] = useState(refs[0]?.model ?? '');
  const [version, setVersion] = useState('');
  const key = refs.map((r) => `${r.model}@${r.version}`).join(',');
  const loaded = useLoad(async () => {
    const results = await Promise.allSettled(
      refs.map(async (ref) => {
        const path = { name: ref.model, version: ref.version };
        const [v, files] = await Promise.all([ok(api.GET('/api/v1/models/{name}/versions/{version}', { params: { path } })), ok(api.GET('/api/v1/models/{name}/versions/{version}/artifacts', { params: { path } }))]);
        return { v, files };
      }),
    );
    return results;
  }, key);
  const go = (next: { model: string; version: number }[], diff = onlyDifferences) => navigate(`${href.compare(next)}${diff ? `${next.length > 0 ? '&' : '?'}diff=1` : ''}`, { replace: true });

  const versions = (loaded.data ?? []).flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failures = (loaded.data ?? []).flatMap((r, i) => (r.status === 'rejected' ? [{ ref: refs[i], error: r.reason instanceof ApiProblem ? r.reason : new ApiProblem(0, 'ERROR', String(r.reason)) }] : []));
  const compared: ComparedVersion[] = versions.map(({ v, files }) => ({
    label: `${v.model} v${v.version}`,
    params: v.params,
    metrics: v.metrics,
    tags: v.tags,
    lineage: {
      datasets: v.lineage.datasets.map((d) => `${d.name}${d.digest ? ` (${d.digest})` : ''}`).join(', ') || undefined,
      codeRepository: v.lineage.codeRepository,
      codeCommit: v.lineage.codeCommit,
      pipeline: v.lineage.pipeline,
      runId: v.runId ?? undefined,
    },
    artifacts: files.items,
  }));
  const rows = compareRows(compared).filter((row) => !onlyDifferences || row.differs);
  return (
    <>
      <h1>Compare versions</h1>
      <div className="card">
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            const n = Number(version);
            if (model.trim() && Number.isSafeInteger(n) && n > 0 && refs.length < 4) go([...refs, { model: model.trim(), version: n }]);
            setVersion('');
          }}
        >
          <label htmlFor={ids.model}>Model</label>
          <input id={ids.model} value={model} onChange={(event) => setModel(event.target.value)} required />
          <label htmlFor={ids.version}>Version</label>
          <input id={ids.version} type="number" min={1} value={version} onChange={(event) => setVersion(event.target.value)} required />
          <button type="submit" disabled={refs.length >= 4}>
            Add
          </button>
          <label className="check" htmlFor={ids.diff}>
            <input id={ids.diff} type="checkbox" checked={onlyDifferences} onChange={(event) => go(refs, event.target.checked)} />
            Only differences
          </label>
        </form>
        {refs.length < 2 ? <p className="muted">Choose 2 to 4 versions (from a model's page or the version search, or add them here).</p> : null}
        {failures.map((f) => (
          <ErrorMessage key={`${f.ref?.model}@${f.ref?.version}`} error={f.error} title={`${f.ref?.model} v${f.ref?.version}`} />
        ))}
      </div>
      {loaded.loading && !loaded.data ? <Loading what="versions" /> : null}
      {versions.length > 0 ? (
        <div className="card scroll">
          <table className="compare" data-testid="compare">
            <caption className="visually-hidden">Comparison of {compared.map((c) => c.label).join(', ')}</caption>
            <thead>
              <tr>
                <th scope="col">Key</th>
                {versions.map(({ v }, i) => (
                  <th scope="col" key={`${v.model}@${v.version}`}>
                    <Link to={href.version(v.model, v.version)}>
                      {v.model} v{v.version}
                    </Link>{' '}
                    <StageBadge stage={v.stage} />{' '}
                    <button type="button" className="link" aria-label={`Remove ${v.model} v${v.version} from the comparison`} onClick={() => go(refs.filter((_, j) => j !== i))}>
                      remove
                    </button>
                  </th>
                ))}
              </tr>
            </thead>
            {SECTIONS.map((section) => {
              const sectionRows = rows.filter((r) => r.section === section.id);
              return (
                <tbody key={section.id}>
                  <tr className="section-row">
                    <th scope="colgroup" colSpan={versions.length + 1}>
                      {section.title}
                    </th>
                  </tr>
                  {sectionRows.length === 0 ? (
                    <tr>
                      <td colSpan={versions.length + 1} className="muted">
                        {onlyDifferences ? 'No differences.' : 'None.'}
                      </td>
                    </tr>
                  ) : (
                    sectionRows.map((row) => (
                      <tr key={`${section.id}:${row.key}`} className={row.differs ? 'differs' : undefined}>
                        <th scope="row" className="mono">
                          {row.key}
                          {row.differs ? <span className="visually-hidden"> (differs)</span> : null}
                        </th>
                        {row.cells.map((cell, i) => (
                          <td key={i} className={`${row.best.includes(i) ? 'best' : ''}${section.id === 'artifacts' ? ' mono digest' : ''}`}>
                            {cell ?? <span className="muted">–</span>}
                            {row.best.includes(i) ? <span className="best-mark"> ★ best</span> : null}
                          </td>
                        ))}
                      </tr>
                    ))
                  )}
                </tbody>
              );
            })}
          </table>
        </div>
      ) : null}
    </>
  );
}

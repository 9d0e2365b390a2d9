import { usePageTrail } from '../lib/use-page-trail';
import { useId, useState } from 'react';
import { ok } from '../api/client';
import type { Integrity } from '../api/client';
import { useAction } from '../components/action';
import { ErrorMessage, Loading, Pager, Section, Time } from '../components/common';
import { quote } from '../lib/filter';
import { isoToLocalInput, localInputToIso } from '../lib/format';
import { Link, navigate } from '../lib/navigation';
import { href } from '../lib/routes';
import { useSession } from '../lib/session';
import { facets, timeline } from '../lib/timeline';
import { POLL_MS, useLoad } from '../lib/use-load';

/** The history filter the audit form stands for (actor, event type, time range), in the API's grammar. */
export function historyFilter(form: { actor?: string | undefined; type?: string | undefined; from?: string | undefined; to?: string | undefined }): string {
  return [form.actor ? `actor = ${quote(form.actor)}` : '', form.type ? `type = ${quote(form.type)}` : '', form.from ? `occurredAt >= ${quote(form.from)}` : '', form.to ? `occurredAt <= ${quote(form.to)}` : '']
    .filter((p) => p.length > 0)
    .join(' AND ');
}

function IntegrityCheck({ name }: { name: string }) {
  const { api } = useSession();
  const [result, setResult] = useState<Integrity | undefined>();
  const action = useAction();
  return (
    <div>
      <button type="button" disabled={action.busy} onClick={() => void action.run(async () => setResult(await ok(api.GET('/api/v1/models/{name}/integrity', { params: { path: { name } } }))))}>
        {action.busy ? 'Checking…' : 'Check integrity'}
      </button>
      {result ? (
        <div className={result.valid ? 'success' : 'error'} role="status" data-testid="integrity">
          <p>
            {result.valid ? '✓ Intact' : '✗ Broken'}: {result.events} events in {result.streams.length} streams, every event's hash {result.valid ? 'chains to the one before it' : 'does not chain in the streams below'}.
          </p>
          <ul className="plain">
            {result.streams.map((s) => (
              <li key={s.stream} className="mono">
                {s.valid ? '✓' : '✗'} {s.stream}: {s.events} events{s.brokenAt !== undefined ? `, broken at revision ${s.brokenAt}` : ''}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <ErrorMessage error={action.error} />
    </div>
  );
}

/**
 * Audit: the registry-wide history, or one model's, filterable by actor, event type and time; time travel to any
 * entry; a model's integrity.
 */
export function AuditPage({ query }: { query: URLSearchParams }) {
  const { api } = useSession();
  const model = query.get('model') ?? '';
  const form = { actor: query.get('actor') ?? undefined, type: query.get('type') ?? undefined, from: query.get('from') ?? undefined, to: query.get('to') ?? undefined };
  const pageToken = query.get('page') ?? undefined;
  const pages = usePageTrail(pageToken, (token) => go({ model: model || undefined, ...form, page: token }));
  const ids = { model: useId(), actor: useId(), type: useId(), from: useId(), to: useId(), models: useId(), actors: useId(), types: useId() };
  const [draft, setDraft] = useState({ model, actor: form.actor ?? '', type: form.type ?? '', from: isoToLocalInput(form.from), to: isoToLocalInput(form.to) });
  const filter = historyFilter(form);
  const models = useLoad(() => ok(api.GET('/api/v1/models', { params: { query: { orderBy: 'updatedAt desc', pageSize: 100 } } })), 'models');
  const page = { ...(filter ? { filter } : {}), pageSize: 100, ...(pageToken ? { pageToken } : {}) };
  const history = useLoad(
    () => (model ? ok(api.GET('/api/v1/models/{name}/history', { params: { path: { name: model }, query: page } })) : ok(api.GET('/api/v1/history', { params: { query: page } }))),
    `${model}|${filter}|${pageToken ?? ''}`,
    POLL_MS,
  );
  const found = facets(history.data?.items ?? []);
  // The registry-wide history names models by id: the names of the models the caller reads lately, where known.
  const names = new Map((models.data?.items ?? []).map((m) => [m.id, m.name]));
  const modelOf = new Map((history.data?.items ?? []).map((e) => [e.eventId, e.modelId]));
  const go = (next: Record<string, string | undefined>) => navigate(href.audit(next));
  return (
    <>
      <h1>Audit</h1>
      <div className="card">
        <form
          className="audit-form"
          onSubmit={(event) => {
            event.preventDefault();
            pages.reset();
            go({ model: draft.model.trim() || undefined, actor: draft.actor || undefined, type: draft.type || undefined, from: localInputToIso(draft.from), to: localInputToIso(draft.to) });
          }}
        >
          <div>
            <label htmlFor={ids.model}>Model</label>
            <input id={ids.model} list={ids.models} value={draft.model} placeholder="every model" onChange={(event) => setDraft({ ...draft, model: event.target.value })} />
            <datalist id={ids.models}>
              {(models.data?.items ?? []).map((m) => (
                <option key={m.id} value={m.name} />
              ))}
            </datalist>
          </div>
          <div>
            <label htmlFor={ids.actor}>Actor</label>
            <input id={ids.actor} list={ids.actors} value={draft.actor} onChange={(event) => setDraft({ ...draft, actor: event.target.value })} />
            <datalist id={ids.actors}>
              {found.actors.map((a) => (
                <option key={a} value={a} />
              ))}
            </datalist>
          </div>
          <div>
            <label htmlFor={ids.type}>Event type</label>
            <input id={ids.type} list={ids.types} value={draft.type} onChange={(event) => setDraft({ ...draft, type: event.target.value })} />
            <datalist id={ids.types}>
              {found.types.map((t) => (
                <option key={t} value={t} />
              ))}
            </datalist>
          </div>
          <div>
            <label htmlFor={ids.from}>From</label>
            <input id={ids.from} type="datetime-local" step="1" value={draft.from} onChange={(event) => setDraft({ ...draft, from: event.target.value })} />
          </div>
          <div>
            <label htmlFor={ids.to}>To</label>
            <input id={ids.to} type="datetime-local" step="1" value={draft.to} onChange={(event) => setDraft({ ...draft, to: event.target.value })} />
          </div>
          <button type="submit" className="primary">
            Show history
          </button>
        </form>
        {filter ? (
          <p className="hint">
            History filter: <code>{filter}</code>
          </p>
        ) : null}
      </div>
      {model ? (
        <Section title={`Integrity of ${model}`}>
          <IntegrityCheck key={model} name={model} />
        </Section>
      ) : null}
      <Section title={model ? `History of ${model}` : 'History of the registry'} actions={model ? <Link to={href.model(model)}>Open the model →</Link> : undefined}>
        {history.error && !history.data ? <ErrorMessage error={history.error} /> : null}
        {history.data ? (
          <>
            <table className="list" data-testid="history">
              <caption className="visually-hidden">{model ? `History of ${model}` : 'History of the registry, newest first'}</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  {model ? null : <th scope="col">Model</th>}
                  <th scope="col">Actor</th>
                  <th scope="col">Event</th>
                  <th scope="col">What</th>
                  <th scope="col">Time travel</th>
                </tr>
              </thead>
              <tbody>
                {timeline(history.data.items).map((item) => {
                  const modelId = modelOf.get(item.id) ?? '';
                  const name = model || names.get(modelId);
                  return (
                    <tr key={item.id}>
                      <td>
                        <Time iso={item.at} />
                      </td>
                      {model ? null : <td>{name ? <Link to={href.audit({ model: name })}>{name}</Link> : <span className="mono muted">{modelId.slice(0, 8)}</span>}</td>}
                      <td>{item.actor}</td>
                      <td className="mono">{item.type}</td>
                      <td>
                        {item.text}
                        {item.comment ? <span className="muted"> — “{item.comment}”</span> : null}
                      </td>
                      <td>{name ? <Link to={href.model(name, { asOf: item.at })}>as of then</Link> : null}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {history.data.items.length === 0 ? <p className="muted">No entry matches.</p> : null}
            <Pager label="History" next={history.data.nextPageToken} {...pages} />
          </>
        ) : (
          <Loading what="history" />
        )}
      </Section>
    </>
  );
}

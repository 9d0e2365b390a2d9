import { useId, useState } from 'react';
import { done, ok } from '../api/client';
import type { Transition } from '../api/client';
import { useAction } from '../components/action';
import { ErrorMessage, Loading, Section, StageBadge, Time } from '../components/common';
import { lowerIsBetter } from '../lib/compare';
import { quote } from '../lib/filter';
import { metric } from '../lib/format';
import { Link } from '../lib/navigation';
import { href } from '../lib/routes';
import { holds, useSession } from '../lib/session';
import type { Session } from '../lib/session';
import { POLL_MS, useLoad } from '../lib/use-load';

/** Whether `me` may approve or reject a pending request: its rule's role, not their own, not approved by them yet. */
export function mayDecide(me: NonNullable<Session['me']>, t: Transition): boolean {
  return t.status === 'pending' && t.requestedBy !== me.user && holds(me, t.policy.approverRole) && !t.approvals.some((a) => a.by === me.user);
}

/** What approving changes: the version against the model's current production version, metric by metric. */
function WhatChanges({ t }: { t: Transition }) {
  const { api } = useSession();
  const candidate = useLoad(() => ok(api.GET('/api/v1/models/{name}/versions/{version}', { params: { path: { name: t.model, version: t.version } } })), `${t.model}|${t.version}`);
  const production = useLoad(() => ok(api.GET('/api/v1/versions', { params: { query: { filter: `model = ${quote(t.model)} AND stage = 'production'`, pageSize: 5 } } })), `${t.model}|production`);
  const current = production.data?.items.find((v) => v.version !== t.version);
  const names = [...new Set([...Object.keys(candidate.data?.metrics ?? {}), ...Object.keys(current?.metrics ?? {})])].sort();
  return (
    <div className="changes">
      <p>
        If approved, version {t.version} moves from <StageBadge stage={t.fromStage} /> to <StageBadge stage={t.toStage} />
        {t.toStage === 'production' && current ? (t.archiveExisting ? `, and version ${current.version} (production now) is archived.` : `, beside version ${current.version} (production now).`) : '.'}
      </p>
      {candidate.error ? <ErrorMessage error={candidate.error} /> : null}
      {names.length > 0 ? (
        <table className="list compact">
          <caption>
            Metrics: version {t.version} against {current ? `production version ${current.version}` : 'no production version'}
          </caption>
          <thead>
            <tr>
              <th scope="col">Metric</th>
              <th scope="col" className="num">
                v{t.version}
              </th>
              <th scope="col" className="num">
                {current ? `v${current.version} (production)` : 'production'}
              </th>
              <th scope="col" className="num">
                Change
              </th>
            </tr>
          </thead>
          <tbody>
            {names.map((n) => {
              const mine = candidate.data?.metrics[n];
              const theirs = current?.metrics[n];
              const delta = mine !== undefined && theirs !== undefined ? mine - theirs : undefined;
              const better = delta === undefined || delta === 0 ? undefined : lowerIsBetter(n) ? delta < 0 : delta > 0;
              return (
                <tr key={n}>
                  <th scope="row">{n}</th>
                  <td className="num">{metric(mine)}</td>
                  <td className="num">{metric(theirs)}</td>
                  <td className={`num ${better === undefined ? '' : better ? 'better' : 'worse'}`}>
                    {delta === undefined ? '–' : `${delta > 0 ? '+' : ''}${metric(delta)}`}
                    {better === undefined ? '' : better ? ' (better)' : ' (worse)'}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

function Decide({ t, onDecided }: { t: Transition; onDecided: () => void }) {
  const { api } = useSession();
  const id = useId();
  const [comment, setComment] = useState('');
  const action = useAction(onDecided);
  const body = comment ? { comment } : {};
  return (
    <div className="decide">
      <label htmlFor={id}>Comment</label>
      <textarea id={id} rows={2} value={comment} onChange={(event) => setComment(event.target.value)} />
      <div className="buttons">
        <button type="button" className="primary" disabled={action.busy} onClick={() => void action.run(() => done(api.POST('/api/v1/transitions/{id}/approve', { params: { path: { id: t.id } }, body })))}>
          Approve
        </button>
        <button type="button" className="danger" disabled={action.busy} onClick={() => void action.run(() => done(api.POST('/api/v1/transitions/{id}/reject', { params: { path: { id: t.id } }, body })))}>
          Reject
        </button>
      </div>
      <ErrorMessage error={action.error} title="Not decided" />
    </div>
  );
}

function Request({ t, children }: { t: Transition; children?: React.ReactNode }) {
  return (
    <li className="request-card" data-testid={`transition-${t.id}`}>
      <h3>
        <Link to={href.version(t.model, t.version)}>
          {t.model} v{t.version}
        </Link>{' '}
        {t.fromStage} → <StageBadge stage={t.toStage} />
      </h3>
      <p>
        Requested by <strong>{t.requestedBy}</strong> <Time iso={t.requestedAt} />. Needs {t.policy.requiredApprovals} approval{t.policy.requiredApprovals === 1 ? '' : 's'} from the {t.policy.approverRole} role
        {t.approvals.length > 0 ? `; approved so far by ${t.approvals.map((a) => a.by).join(', ')}` : ''}.
      </p>
      {t.comment ? <blockquote>{t.comment}</blockquote> : null}
      {children}
    </li>
  );
}

/** The approvals inbox: requests the signed-in user may decide (oldest first), and their own requests. */
export function ApprovalsPage() {
  const { api, me } = useSession();
  const pending = useLoad(() => ok(api.GET('/api/v1/transitions', { params: { query: { status: 'pending', orderBy: 'requestedAt asc', pageSize: 200 } } })), 'pending', POLL_MS);
  const cancel = useAction(pending.reload);
  if (!pending.data || !me) return pending.error ? <ErrorMessage error={pending.error} /> : <Loading what="requests" />;
  const items = pending.data.items;
  const toDecide = items.filter((t) => mayDecide(me, t));
  const mine = items.filter((t) => t.requestedBy === me.user);
  const others = items.filter((t) => t.requestedBy !== me.user && !mayDecide(me, t));
  return (
    <>
      <h1>Approvals</h1>
      <p className="rule" id="own-request-rule">
        <strong>Never your own request:</strong> a stage change needs someone other than the person who asked for it (four eyes), so your own requests are listed under “Your requests”, where you can cancel them, and never in your inbox.
        Each stage has its own rule: how many approvals, and from which role.
      </p>
      <ErrorMessage error={pending.error} />
      <Section title={`To decide (${toDecide.length})`}>
        {toDecide.length === 0 ? (
          <p className="muted">Nothing waits for you{holds(me, 'approver') || holds(me, 'contributor') ? '' : ` (your role, ${me.roles.join(', ')}, decides no stage)`}.</p>
        ) : (
          <ol className="requests" aria-describedby="own-request-rule">
            {toDecide.map((t) => (
              <Request key={t.id} t={t}>
                <WhatChanges t={t} />
                <Decide t={t} onDecided={pending.reload} />
              </Request>
            ))}
          </ol>
        )}
      </Section>
      <Section title={`Your requests (${mine.length})`}>
        {mine.length === 0 ? (
          <p className="muted">You have no pending request.</p>
        ) : (
          <ol className="requests">
            {mine.map((t) => (
              <Request key={t.id} t={t}>
                <button type="button" disabled={cancel.busy} onClick={() => void cancel.run(() => done(api.POST('/api/v1/transitions/{id}/cancel', { params: { path: { id: t.id } }, body: {} })))}>
                  Cancel request
                </button>
              </Request>
            ))}
          </ol>
        )}
        <ErrorMessage error={cancel.error} title="Not cancelled" />
      </Section>
      {others.length > 0 ? (
        <Section title={`Waiting for others (${others.length})`}>
          <ol className="requests">
            {others.map((t) => (
              <Request key={t.id} t={t}>
                <p className="muted">{t.approvals.some((a) => a.by === me.user) ? 'You approved it; it waits for more approvals.' : `Needs the ${t.policy.approverRole} role.`}</p>
              </Request>
            ))}
          </ol>
        </Section>
      ) : null}
    </>
  );
}

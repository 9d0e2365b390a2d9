import { useId, useState } from 'react';
import type { ReactNode } from 'react';
import type { ApiProblem, Stage } from '../api/client';
import { isoToLocalInput, localInputToIso, when } from '../lib/format';

export function StageBadge({ stage }: { stage: Stage }) {
  return <span className={`badge stage-${stage}`}>{stage}</span>;
}

/** The API's own message (and code), announced to screen readers. */
export function ErrorMessage({ error, title }: { error: ApiProblem | Error | undefined; title?: string }) {
  if (!error) return null;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  return (
    <div className="error" role="alert">
      {title ? <strong>{title}: </strong> : null}
      {error.message}
      {code && code !== 'ERROR' ? <span className="code"> ({code})</span> : null}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function Time({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span>–</span>;
  return (
    <time dateTime={iso} title={iso}>
      {when(iso)}
    </time>
  );
}

export function KeyValues({ values, empty, caption }: { values: Readonly<Record<string, string | number>>; empty: string; caption: string }) {
  const entries = Object.entries(values).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return <p className="muted">{empty}</p>;
  return (
    <table className="kv">
      <caption className="visually-hidden">{caption}</caption>
      <tbody>
        {entries.map(([key, value]) => (
          <tr key={key}>
            <th scope="row">{key}</th>
            <td>{String(value)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  const id = useId();
  return (
    <section className="card" aria-labelledby={id}>
      <div className="card-head">
        <h2 id={id}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

/**
 * "As of" time travel: a date-time picker that re-reads the page with `asOf` (kept in the URL, so the past view
 * can be shared); "now" goes back to the present.
 */
export function AsOfPicker({ asOf, onChange }: { asOf: string | undefined; onChange: (asOf: string | undefined) => void }) {
  const id = useId();
  const [value, setValue] = useState(isoToLocalInput(asOf));
  return (
    <form
      className="asof"
      onSubmit={(event) => {
        event.preventDefault();
        onChange(localInputToIso(value));
      }}
    >
      <label htmlFor={id}>As of</label>
      <input id={id} type="datetime-local" step="1" value={value} onChange={(event) => setValue(event.target.value)} />
      <button type="submit">Show</button>
      {asOf ? (
        <button
          type="button"
          onClick={() => {
            setValue('');
            onChange(undefined);
          }}
        >
          Now
        </button>
      ) : null}
    </form>
  );
}

export function Pager({ hasPrevious, next, onPrevious, onNext, label }: { hasPrevious: boolean; next: string | null | undefined; onPrevious: () => void; onNext: (token: string) => void; label: string }) {
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <button type="button" onClick={onPrevious} disabled={!hasPrevious}>
        ← Previous
      </button>
      <button type="button" onClick={() => next && onNext(next)} disabled={!next}>
        Next →
      </button>
    </nav>
  );
}

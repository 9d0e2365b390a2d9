import type { HistoryEvent } from '../lib/timeline';
import { timeline } from '../lib/timeline';
import { Time } from './common';

/** History as a timeline: when, who, what (in words), and the comment a request or decision carried. */
export function Timeline({ events, label }: { events: readonly HistoryEvent[]; label: string }) {
  const items = timeline(events);
  if (items.length === 0) return <p className="muted">No history yet.</p>;
  return (
    <ol className="timeline" aria-label={label}>
      {items.map((item) => (
        <li key={item.id} className={`tl-${item.kind}`} data-type={item.type}>
          <span className="tl-dot" aria-hidden="true" />
          <div>
            <div className="tl-head">
              <Time iso={item.at} /> · <span className="actor">{item.actor}</span>
            </div>
            <div className="tl-text">{item.text}</div>
            {item.comment ? <blockquote>{item.comment}</blockquote> : null}
          </div>
        </li>
      ))}
    </ol>
  );
}

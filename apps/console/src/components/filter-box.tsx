import { useId, useState } from 'react';
import type { ApiProblem } from '../api/client';
import { markError } from '../lib/filter';

/**
 * The filter grammar's text box: the API parses it, and when it refuses a filter its message is shown with the
 * character it points at underlined.
 */
export function FilterBox({ value, onSubmit, error, label, placeholder, hint }: { value: string; onSubmit: (filter: string) => void; error?: ApiProblem | undefined; label: string; placeholder: string; hint: string }) {
  const [text, setText] = useState(value);
  const [shownFor, setShownFor] = useState(value);
  if (shownFor !== value) {
    setShownFor(value);
    setText(value);
  }
  const id = useId();
  const filterError = error && error.code === 'INVALID_ARGUMENT' && /filter/i.test(error.message) ? error : undefined;
  const marked = filterError ? markError(value, filterError.message) : undefined;
  return (
    <form
      className="filter"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit(text.trim());
      }}
    >
      <label htmlFor={id}>{label}</label>
      <div className="filter-row">
        <input
          id={id}
          type="search"
          value={text}
          placeholder={placeholder}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={filterError ? true : undefined}
          aria-describedby={`${id}-hint${filterError ? ` ${id}-error` : ''}`}
          onChange={(event) => setText(event.target.value)}
        />
        <button type="submit">Search</button>
        {value ? (
          <button type="button" onClick={() => onSubmit('')}>
            Clear
          </button>
        ) : null}
      </div>
      <p id={`${id}-hint`} className="hint">
        {hint}
      </p>
      {filterError ? (
        <div id={`${id}-error`} className="error filter-error" role="alert">
          <div>{filterError.message}</div>
          {marked ? (
            <pre className="filter-mark" aria-label="where the filter went wrong">
              {marked.before}
              <mark>{marked.at}</mark>
              {marked.after}
            </pre>
          ) : null}
        </div>
      ) : null}
    </form>
  );
}

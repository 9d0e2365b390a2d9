import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { ApiProblem } from '../api/client';
import { FilterBox } from './filter-box';
import { Timeline } from './timeline';

// The components with logic, rendered to HTML as the browser gets it (their interaction is the browser suite's).
describe('FilterBox', () => {
  const render = (value: string, error?: ApiProblem) => renderToStaticMarkup(createElement(FilterBox, { value, error, label: 'Filter models', placeholder: '', hint: 'grammar', onSubmit: () => undefined }));

  it('shows the API message and underlines the character at the column it names', () => {
    const html = render('name ~ 1', new ApiProblem(400, 'INVALID_ARGUMENT', "invalid filter: unexpected character '~' at column 6"));
    expect(html).toContain('aria-invalid="true"');
    expect(html).toContain('role="alert"');
    expect(html).toContain('invalid filter: unexpected character &#x27;~&#x27; at column 6');
    expect(html).toContain('name <mark>~</mark> 1');
  });

  it('is a labelled search box without an error when the filter is fine, or when the error is not about it', () => {
    for (const html of [render("name = 'x'"), render("name = 'x'", new ApiProblem(403, 'PERMISSION_DENIED', 'no'))]) {
      expect(html).toMatch(/<label for="([^"]+)">Filter models<\/label><div class="filter-row"><input id="\1"/);
      expect(html).not.toContain('aria-invalid');
      expect(html).not.toContain('<mark>');
    }
  });
});

describe('Timeline', () => {
  it('lists entries newest first with time, actor, words and comment', () => {
    const html = renderToStaticMarkup(
      createElement(Timeline, {
        label: 'History of m v2',
        events: [
          { eventId: 'a', type: 'TransitionRequested', occurredAt: '2026-01-01T11:00:00.000Z', actor: 'alice', version: 2, data: { fromStage: 'development', toStage: 'production', comment: 'ship it' } },
          { eventId: 'b', type: 'TransitionApprovalGiven', occurredAt: '2026-01-01T12:00:00.000Z', actor: 'bob', version: 2, data: { comment: '' } },
        ],
      }),
    );
    expect(html.indexOf('approved the move of version 2')).toBeLessThan(html.indexOf('requested version 2 to move from development to production'));
    expect(html).toContain('<ol class="timeline" aria-label="History of m v2">');
    expect(html).toContain('<time dateTime="2026-01-01T12:00:00.000Z"');
    expect(html).toContain('<span class="actor">bob</span>');
    expect(html).toContain('<blockquote>ship it</blockquote>');
    expect(html.match(/<blockquote>/g)).toHaveLength(1);
  });

  it('says so when there is no history', () => {
    expect(renderToStaticMarkup(createElement(Timeline, { label: 'x', events: [] }))).toContain('No history yet.');
  });
});

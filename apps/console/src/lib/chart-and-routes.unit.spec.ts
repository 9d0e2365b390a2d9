import { plot, seriesOf } from './chart';
import { href, routeOf } from './routes';

describe('the metric chart', () => {
  const frame = { width: 200, height: 100, left: 0, right: 0, top: 0, bottom: 0 };

  it('takes the versions that have the metric, by version number', () => {
    expect(
      seriesOf(
        [
          { version: 3, metrics: { auc: 0.9 } },
          { version: 1, metrics: { auc: 0.8 } },
          { version: 2, metrics: { loss: 1 } },
        ],
        'auc',
      ),
    ).toEqual([
      { version: 1, value: 0.8 },
      { version: 3, value: 0.9 },
    ]);
  });

  it('spreads versions left to right and values bottom (lowest) to top (highest)', () => {
    const chart = plot(
      [
        { version: 1, value: 0 },
        { version: 2, value: 10 },
        { version: 3, value: 5 },
      ],
      frame,
    );
    expect(chart.points.map((p) => [p.x, p.y])).toEqual([
      [0, 100],
      [100, 0],
      [200, 50],
    ]);
    expect(chart.path).toBe('M0,100 L100,0 L200,50');
  });

  it('draws one version, or equal values, in the middle instead of dividing by zero', () => {
    const chart = plot([{ version: 7, value: 0.5 }], frame);
    expect(chart.points).toEqual([{ version: 7, value: 0.5, x: 100, y: 50 }]);
    expect(plot([], frame).path).toBe('');
  });
});

describe('console routes', () => {
  it('gives every page a URL and reads it back', () => {
    expect(routeOf('/', '')).toMatchObject({ page: 'catalog' });
    expect(routeOf('/models', '?filter=x')).toMatchObject({ page: 'catalog' });
    const model = routeOf(href.model('fraud.v2/eu'), '');
    expect(model).toMatchObject({ page: 'model', model: 'fraud.v2/eu' });
    expect(routeOf(href.version('fraud', 3).split('?')[0] ?? '', '?asOf=2026-01-01T00:00:00.000Z')).toMatchObject({ page: 'version', model: 'fraud', version: 3 });
    expect(
      href.compare([
        { model: 'a', version: 1 },
        { model: 'b', version: 2 },
      ]),
    ).toBe('/compare?v=a%401&v=b%402');
    expect(routeOf('/models/a/versions/0', '')).toMatchObject({ page: 'not-found' });
    expect(routeOf('/models/%E0%A4%A', '')).toMatchObject({ page: 'not-found' });
  });

  it('returns to a page of this console only after sign-in (no open redirect)', () => {
    expect(routeOf('/sign-in', '?next=%2Fapprovals')).toMatchObject({ page: 'sign-in', next: '/approvals' });
    expect(routeOf('/sign-in', '?next=%2F%2Fevil.example')).not.toHaveProperty('next');
    expect(routeOf('/sign-in', '?next=https%3A%2F%2Fevil.example')).not.toHaveProperty('next');
  });
});

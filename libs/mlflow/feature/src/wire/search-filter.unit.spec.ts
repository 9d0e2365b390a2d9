import { FilterError } from '@mreg/shared/query';
import type { FilterNode } from '@mreg/shared/query';
import { RUN_SEARCH } from '../tracking/runs.controller';
import { MODEL_SEARCH, translateMlflowFilter, translateMlflowOrderBy } from './search-filter';

const eq = (field: string, value: string | number): FilterNode => ({ kind: 'compare', field, op: '=', value });

describe('MLflow run filters', () => {
  it('translates metrics, params, tags and attributes joined by AND', () => {
    expect(translateMlflowFilter("metrics.acc > 0.5 and params.lr = '0.1' AND tags.`team name` LIKE 'ri%' AND attributes.status = 'FINISHED'", RUN_SEARCH)).toEqual({
      kind: 'and',
      left: {
        kind: 'and',
        left: { kind: 'and', left: { kind: 'compare', field: 'metrics.acc', op: '>', value: 0.5 }, right: eq('params.lr', '0.1') },
        right: { kind: 'like', field: 'tags.team name', pattern: 'ri%', caseInsensitive: false },
      },
      right: eq('status', 'FINISHED'),
    });
  });

  it("takes MLflow's other names: metric., param., parameters., run., attr., created, `Run name`", () => {
    expect(translateMlflowFilter('metric.`val/loss` <= 1e-3 AND parameters."batch size" ILIKE \'3%\'', RUN_SEARCH)).toEqual({
      kind: 'and',
      left: { kind: 'compare', field: 'metrics.val/loss', op: '<=', value: 0.001 },
      right: { kind: 'like', field: 'params.batch size', pattern: '3%', caseInsensitive: true },
    });
    expect(translateMlflowFilter('created >= 5 AND run.end_time < 9', RUN_SEARCH)).toEqual({
      kind: 'and',
      left: { kind: 'compare', field: 'startTime', op: '>=', value: 5 },
      right: { kind: 'compare', field: 'endTime', op: '<', value: 9 },
    });
    expect(translateMlflowFilter("`Run name` = 'a'", RUN_SEARCH)).toEqual(eq('runName', 'a'));
  });

  it('needs the key for != on params and tags (the tracking store joins it), and tests it with IS [NOT] NULL', () => {
    expect(translateMlflowFilter("params.lr != '0.1'", RUN_SEARCH)).toEqual({ kind: 'compare', field: 'params.lr', op: '!=', value: '0.1' });
    expect(translateMlflowFilter("tags.t != 'x'", RUN_SEARCH)).toEqual({ kind: 'compare', field: 'tags.t', op: '!=', value: 'x' });
    expect(translateMlflowFilter('tags.t IS NULL', RUN_SEARCH)).toEqual({ kind: 'not', filter: { kind: 'like', field: 'tags.t', pattern: '%', caseInsensitive: false } });
    expect(translateMlflowFilter('params.p is not null', RUN_SEARCH)).toEqual({ kind: 'like', field: 'params.p', pattern: '%', caseInsensitive: false });
    // The registry keeps its rule: an entity without the tag is "not equal".
    expect(translateMlflowFilter("tags.t != 'x'", MODEL_SEARCH)).toEqual({ kind: 'not', filter: eq('tags.t', 'x') });
    expect(() => translateMlflowFilter('tags.t IS NULL', MODEL_SEARCH)).toThrow(FilterError);
  });

  it('counts a NaN metric as != every number', () => {
    expect(translateMlflowFilter('metrics.m != 1', RUN_SEARCH)).toEqual({
      kind: 'or',
      left: { kind: 'compare', field: 'metrics.m', op: '!=', value: 1 },
      right: eq('metricsNaN.m', 'NaN'),
    });
  });

  it('takes IN and NOT IN on run_id only', () => {
    expect(translateMlflowFilter("attributes.run_id IN ('a', 'b')", RUN_SEARCH)).toEqual({ kind: 'in', field: 'id', values: ['a', 'b'] });
    expect(translateMlflowFilter("run_id NOT IN ('a')", RUN_SEARCH)).toEqual({ kind: 'not', filter: { kind: 'in', field: 'id', values: ['a'] } });
    expect(() => translateMlflowFilter("status IN ('FINISHED')", RUN_SEARCH)).toThrow('only run_id take a list');
  });

  it.each([
    ["metrics.acc > '0.5'", 'compares with a number'],
    ['metrics.acc LIKE 1', 'LIKE needs a quoted pattern'],
    ["metrics.acc LIKE '1%'", 'LIKE applies to text'],
    ["params.lr > '1'", 'params compare with'],
    ["tags.t IN ('a')", 'tags do not take IN'],
    ['metrics.acc IS NULL', 'IS NULL applies to params and tags'],
    ["datasets.name = 'x'", 'unknown prefix'],
    ["nope = 'x'", 'unknown attribute'],
    ['metrics.a > 1 OR metrics.b > 1', 'joined with AND'],
    ["params.lr = '1", 'unterminated'],
  ])('refuses %s', (filter, message) => {
    expect(() => translateMlflowFilter(filter, RUN_SEARCH)).toThrow(message);
  });
});

describe('MLflow order_by', () => {
  it('orders by the first clause, over metrics, params, tags and attributes', () => {
    expect(translateMlflowOrderBy(['metrics.acc DESC', 'start_time'], RUN_SEARCH)).toEqual({ field: 'metrics.acc', direction: 'desc' });
    expect(translateMlflowOrderBy(['params.`batch size` asc'], RUN_SEARCH)).toEqual({ field: 'params.batch size', direction: 'asc' });
    expect(translateMlflowOrderBy(['attributes.start_time'], RUN_SEARCH)).toEqual({ field: 'startTime', direction: 'asc' });
    expect(translateMlflowOrderBy(['created DESC'], RUN_SEARCH)).toEqual({ field: 'startTime', direction: 'desc' });
    expect(translateMlflowOrderBy([' '], RUN_SEARCH)).toBeUndefined();
  });

  it.each([['metrics.acc sideways'], ['metrics.acc DESC extra'], ['nope'], ['metrics.a', 'metrics.a DESC'], ["'quoted'"]])('refuses %s', (...clauses) => {
    expect(() => translateMlflowOrderBy(clauses, RUN_SEARCH)).toThrow(FilterError);
  });

  it('orders experiments by attributes only', () => {
    expect(() => translateMlflowOrderBy(['tags.t'], MODEL_SEARCH, { attributesOnly: true })).toThrow('only attributes');
  });
});

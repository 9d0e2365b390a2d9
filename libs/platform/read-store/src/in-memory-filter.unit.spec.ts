import type { BoundField, BoundFilter } from '@mreg/shared/query';
import { compareCodePoints, fieldValue, likeMatches, literalFor, matchesFilter } from './in-memory-filter';

const auc: BoundField = { name: 'metrics.auc', path: ['metrics', 'auc'], type: 'number' };
const name: BoundField = { name: 'name', path: ['name'], type: 'string' };
const team: BoundField = { name: 'tags.team', path: ['tags', 'team'], type: 'string' };

describe('likeMatches', () => {
  it.each([
    ['fraud-detector', 'fraud%', false, true],
    ['Fraud-detector', 'fraud%', false, false],
    ['Fraud-detector', 'fraud%', true, true],
    ['fraud', 'fraud%', false, true],
    ['fraud', '%', false, true],
    ['', '%', false, true],
    ['', '_', false, false],
    ['abc', 'a_c', false, true],
    ['abbc', 'a_c', false, false],
    ['a😀c', 'a_c', false, true],
    ['ÉCOLE', 'école', true, true],
    ['école', 'ÉCOLE', true, true],
    ['ÉCOLE', 'école', false, false],
    ['50%', '50\\%', false, true],
    ['500', '50\\%', false, false],
    ['a_b', 'a\\_b', false, true],
    ['axb', 'a\\_b', false, false],
    ['back\\slash', 'back\\\\slash', false, true],
    ['ends with \\', '%\\', false, true],
    ['mississippi', '%iss%ppi', false, true],
    ['mississippi', '%iss%ppx', false, false],
    ['aaa', 'a%%%a', false, true],
    ['line\nbreak', 'line_break', false, true],
  ])('%j LIKE %j (case-insensitive: %s) is %s', (value, pattern, caseInsensitive, expected) => {
    expect(likeMatches(value, pattern, caseInsensitive)).toBe(expected);
  });

  it('stays fast on a pattern that makes regular expressions backtrack', () => {
    const value = 'a'.repeat(5000);
    const started = Date.now();
    expect(likeMatches(value, `${'%a'.repeat(30)}b`, false)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('compareCodePoints', () => {
  it('orders by code point, also above U+FFFF where UTF-16 order differs', () => {
    // U+FF5E is one code unit 0xFF5E; U+1F600 starts with the surrogate 0xD83D, which is smaller.
    expect('😀' < '～').toBe(true);
    expect(compareCodePoints('😀', '～')).toBe(1);
    expect(compareCodePoints('a', 'b')).toBe(-1);
    expect(compareCodePoints('ab', 'a')).toBe(1);
    expect(compareCodePoints('é', 'é')).toBe(0);
  });
});

describe('fieldValue', () => {
  it('walks nested objects but not arrays or inherited properties', () => {
    expect(fieldValue({ metrics: { auc: 0.9 } }, auc)).toBe(0.9);
    expect(fieldValue({ metrics: [{ auc: 0.9 }] }, { ...auc, path: ['metrics', '0'] })).toBeUndefined();
    expect(fieldValue({ name: 'x' }, { ...name, path: ['toString'] })).toBeUndefined();
  });

  it('yields only values of the field type', () => {
    expect(fieldValue({ metrics: { auc: '0.9' } }, auc)).toBeUndefined();
    expect(fieldValue({ metrics: { auc: null } }, auc)).toBeUndefined();
    expect(fieldValue({ name: 7 }, name)).toBeUndefined();
    expect(fieldValue({ name: true }, name)).toBeUndefined();
  });
});

describe('literalFor', () => {
  it('coerces literals to the field type', () => {
    expect(literalFor(auc, '0.5')).toBe(0.5);
    expect(literalFor(auc, 'abc')).toBeUndefined();
    expect(literalFor(auc, '')).toBeUndefined();
    expect(literalFor(name, 10)).toBe('10');
    expect(literalFor(name, null)).toBeUndefined();
  });
});

describe('matchesFilter', () => {
  const doc = { name: 'fraud', metrics: { auc: 0.92 }, tags: { team: 'risk' } };
  const cmp = (field: BoundField, op: '=' | '!=' | '<' | '>', value: string | number): BoundFilter => ({
    kind: 'compare',
    field,
    op,
    value,
  });

  it('evaluates comparisons, IN and LIKE', () => {
    expect(matchesFilter(doc, cmp(auc, '>', 0.9))).toBe(true);
    expect(matchesFilter(doc, cmp(auc, '<', 0.9))).toBe(false);
    expect(matchesFilter(doc, { kind: 'in', field: team, values: ['growth', 'risk'] })).toBe(true);
    expect(matchesFilter(doc, { kind: 'in', field: team, values: [] })).toBe(false);
    expect(matchesFilter(doc, { kind: 'like', field: name, pattern: 'FR%', caseInsensitive: true })).toBe(true);
  });

  it('never matches a missing value, not even with !=', () => {
    const missing: BoundField = { name: 'tags.owner', path: ['tags', 'owner'], type: 'string' };
    expect(matchesFilter(doc, cmp(missing, '!=', 'ada'))).toBe(false);
    expect(matchesFilter(doc, cmp(missing, '=', 'ada'))).toBe(false);
  });

  it('follows the tree for AND/OR', () => {
    const yes = cmp(name, '=', 'fraud');
    const no = cmp(name, '=', 'churn');
    expect(matchesFilter(doc, { kind: 'or', left: no, right: { kind: 'and', left: yes, right: yes } })).toBe(true);
    expect(matchesFilter(doc, { kind: 'and', left: { kind: 'or', left: no, right: yes }, right: no })).toBe(false);
  });
});

describe('matchesFilter with NOT LIKE', () => {
  it('inverts the match for string values and still never matches a missing value', () => {
    const notLike = (field: BoundField, pattern: string): BoundFilter => ({
      kind: 'like',
      field,
      pattern,
      caseInsensitive: false,
      negated: true,
    });
    expect(matchesFilter({ name: 'fraud' }, notLike(name, 'fr%'))).toBe(false);
    expect(matchesFilter({ name: 'churn' }, notLike(name, 'fr%'))).toBe(true);
    expect(matchesFilter({}, notLike(name, 'fr%'))).toBe(false);
    expect(matchesFilter({ name: 3 }, notLike(name, 'fr%'))).toBe(false);
  });
});

import { chipParam, chipsFrom, combinedFilter, errorColumn, fieldOf, markError, quote } from './filter';

describe('the filter box', () => {
  it('quotes text the way the grammar reads it (a quote doubled)', () => {
    expect(quote("o'brien")).toBe("'o''brien'");
  });

  it('backquotes tag keys the grammar cannot read bare', () => {
    expect(fieldOf('tags', 'team')).toBe('tags.team');
    expect(fieldOf('tags', 'cost centre')).toBe('tags.`cost centre`');
  });

  it('adds one condition per tag chip, keeping an OR typed by the user together', () => {
    expect(combinedFilter('', [])).toBe('');
    expect(combinedFilter("name LIKE 'f%'", [])).toBe("name LIKE 'f%'");
    expect(combinedFilter('', [{ key: 'team', value: 'risk' }])).toBe("tags.team = 'risk'");
    expect(combinedFilter("name = 'a' OR name = 'b'", [{ key: 'team', value: 'risk' }])).toBe("(name = 'a' OR name = 'b') AND tags.team = 'risk'");
  });

  it('reads the column an API message points at and marks that character', () => {
    const message = "invalid filter: expected an operator (=, !=, <>, <, <=, >, >=, LIKE, ILIKE, IN) after 'name' at column 6, found 'x'";
    expect(errorColumn(message)).toBe(6);
    expect(markError('name x 1', message)).toEqual({ before: 'name ', at: 'x', after: ' 1' });
  });

  it('marks the end when the filter stopped too early, and nothing when no column is named', () => {
    expect(markError('name =', "invalid filter: expected a value after '=' at column 7, found the end of the filter")).toEqual({ before: 'name =', at: ' ', after: '' });
    expect(markError('name = 1', 'invalid filter: unknown field')).toBeUndefined();
    expect(markError('a', 'at column 9')).toBeUndefined();
  });

  it('keeps tag chips in the URL as key:value (a value may hold a colon)', () => {
    const chips = chipsFrom(['team:risk', 'url:http://x', 'broken']);
    expect(chips).toEqual([
      { key: 'team', value: 'risk' },
      { key: 'url', value: 'http://x' },
    ]);
    expect(chips.map(chipParam)).toEqual(['team:risk', 'url:http://x']);
  });
});

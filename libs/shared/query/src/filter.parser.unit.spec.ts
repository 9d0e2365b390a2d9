import type { FilterNode } from './filter.ast';
import { FilterError } from './filter.errors';
import { FILTER_LIMITS, parseFilter } from './filter.parser';
import { filterErrorOf } from './__tests__/filter-error';

const errorOf = (text: string): FilterError => filterErrorOf(() => parseFilter(text), text);

const eq = (field: string, value: string | number): FilterNode => ({ kind: 'compare', field, op: '=', value });

describe('parseFilter', () => {
  describe('given a single predicate', () => {
    it.each([
      ['=', '='],
      ['!=', '!='],
      ['<>', '!='],
      ['<', '<'],
      ['<=', '<='],
      ['>', '>'],
      ['>=', '>='],
    ] as const)('parses the %s operator', (raw, op) => {
      expect(parseFilter(`metrics.auc ${raw} 0.9`)).toEqual({ kind: 'compare', field: 'metrics.auc', op, value: 0.9 });
    });

    it('parses operators without surrounding spaces', () => {
      expect(parseFilter("name='a'")).toEqual(eq('name', 'a'));
      expect(parseFilter('version<=3')).toEqual({ kind: 'compare', field: 'version', op: '<=', value: 3 });
      expect(parseFilter('version<>-3')).toEqual({ kind: 'compare', field: 'version', op: '!=', value: -3 });
    });

    it('parses LIKE, ILIKE, NOT LIKE and NOT ILIKE', () => {
      expect(parseFilter("name LIKE 'fraud%'")).toEqual({ kind: 'like', field: 'name', pattern: 'fraud%', caseInsensitive: false });
      expect(parseFilter("name ILIKE '%Fraud'")).toEqual({ kind: 'like', field: 'name', pattern: '%Fraud', caseInsensitive: true });
      expect(parseFilter("name NOT LIKE 'x_'")).toEqual({
        kind: 'like',
        field: 'name',
        pattern: 'x_',
        caseInsensitive: false,
        negated: true,
      });
      expect(parseFilter("name not ilike 'x'")).toEqual({
        kind: 'like',
        field: 'name',
        pattern: 'x',
        caseInsensitive: true,
        negated: true,
      });
    });

    it('parses IN lists of mixed literals', () => {
      expect(parseFilter('stage IN (\'production\', "staging", 3)')).toEqual({
        kind: 'in',
        field: 'stage',
        values: ['production', 'staging', 3],
      });
      expect(parseFilter("stage in('a')")).toEqual({ kind: 'in', field: 'stage', values: ['a'] });
    });

    it('treats keywords case-insensitively', () => {
      const expected: FilterNode = { kind: 'and', left: eq('a', 1), right: { kind: 'or', left: eq('b', 2), right: eq('c', 3) } };
      expect(parseFilter('a = 1 AnD (b = 2 oR c = 3)')).toEqual(expected);
      expect(parseFilter('a = 1 and (b = 2 OR c = 3)')).toEqual(expected);
      expect(parseFilter("name Like 'x'")).toEqual({ kind: 'like', field: 'name', pattern: 'x', caseInsensitive: false });
    });

    it('keeps field names as written', () => {
      expect(parseFilter("Name = 'x'")).toEqual(eq('Name', 'x'));
      expect(parseFilter("_private_1 = 'x'")).toEqual(eq('_private_1', 'x'));
    });
  });

  describe('literals', () => {
    it('unescapes doubled quotes', () => {
      expect(parseFilter("name = 'it''s'")).toEqual(eq('name', "it's"));
      expect(parseFilter("name = ''''")).toEqual(eq('name', "'"));
      expect(parseFilter('name = "say ""hi"""')).toEqual(eq('name', 'say "hi"'));
      expect(parseFilter('name = "it\'s"')).toEqual(eq('name', "it's"));
      expect(parseFilter("name = ''")).toEqual(eq('name', ''));
    });

    it('keeps backslashes and unicode as plain characters', () => {
      expect(parseFilter("name = 'a\\b'")).toEqual(eq('name', 'a\\b'));
      expect(parseFilter("name = 'zürich 模型 😀'")).toEqual(eq('name', 'zürich 模型 😀'));
    });

    it.each([
      ['0', 0],
      ['42', 42],
      ['-7', -7],
      ['3.25', 3.25],
      ['-0.5', -0.5],
      ['1e3', 1000],
      ['2.5E-2', 0.025],
      ['1e+2', 100],
      ['-0', 0],
    ])('parses the number %s', (raw, value) => {
      expect(parseFilter(`x = ${raw}`)).toEqual(eq('x', value));
    });

    it('rejects malformed numbers', () => {
      for (const raw of ['1.', '.5', '1.2.3', '12abc', '1e', '--1', '- 1', '1e999', '0x10', '1_000']) {
        expect(() => parseFilter(`x = ${raw}`)).toThrow(FilterError);
      }
    });

    it('rejects control characters in strings', () => {
      expect(errorOf("name = 'a\u0000b'").message).toMatch(/control character/);
      expect(errorOf("name = 'a\nb'").message).toMatch(/control character/);
      expect(errorOf('name = "a\u007fb"').message).toMatch(/control character/);
      expect(errorOf('name = "\ud800"').message).toMatch(/invalid Unicode/);
    });

    it('allows whitespace (including newlines) between tokens', () => {
      expect(parseFilter("\n\tname\r\n=\t'x'  ")).toEqual(eq('name', 'x'));
    });
  });

  describe('field names with prefixes', () => {
    it('returns dotted keys as one full name', () => {
      expect(parseFilter("tags.mlflow.source.type = 'NOTEBOOK'")).toEqual(eq('tags.mlflow.source.type', 'NOTEBOOK'));
      expect(parseFilter("tags.team-a:x = 'y'")).toEqual(eq('tags.team-a:x', 'y'));
      expect(parseFilter('metrics.2nd = 1')).toEqual(eq('metrics.2nd', 1));
    });

    it('accepts backquoted keys with any characters and `` for a backtick', () => {
      expect(parseFilter("tags.`my key` = 'v'")).toEqual(eq('tags.my key', 'v'));
      expect(parseFilter('params.`learning rate (lr)`>=0.1')).toEqual({
        kind: 'compare',
        field: 'params.learning rate (lr)',
        op: '>=',
        value: 0.1,
      });
      expect(parseFilter("tags.`a``b` = 'v'")).toEqual(eq('tags.a`b', 'v'));
      expect(parseFilter("tags.`it's = 'x'` = 'v'")).toEqual(eq("tags.it's = 'x'", 'v'));
    });

    it('rejects malformed keys', () => {
      expect(errorOf("tags. = 'x'").message).toMatch(/expected a key after 'tags\.' at column 6/);
      expect(errorOf("tags..x = 'x'").message).toMatch(/expected a key/);
      expect(errorOf("tags.x. = 'x'").message).toMatch(/expected a key/);
      expect(errorOf("tags.`` = 'x'").message).toMatch(/empty key/);
      expect(errorOf("tags.`abc = 'x'").message).toMatch(/unterminated key starting at column 6/);
      expect(errorOf("tags.`a`b = 'x'").message).toMatch(/after backquoted key/);
      expect(errorOf("tags.`a`.b = 'x'").message).toMatch(/after backquoted key/);
      expect(errorOf("tags.`a\u0001` = 'x'").message).toMatch(/control character/);
      expect(() => parseFilter("`name` = 'x'")).toThrow(FilterError);
      expect(() => parseFilter("1name = 'x'")).toThrow(FilterError);
    });
  });

  describe('precedence and grouping', () => {
    it('binds AND tighter than OR', () => {
      expect(parseFilter('a = 1 OR b = 2 AND c = 3')).toEqual({
        kind: 'or',
        left: eq('a', 1),
        right: { kind: 'and', left: eq('b', 2), right: eq('c', 3) },
      });
      expect(parseFilter('a = 1 AND b = 2 OR c = 3')).toEqual({
        kind: 'or',
        left: { kind: 'and', left: eq('a', 1), right: eq('b', 2) },
        right: eq('c', 3),
      });
    });

    it('lets parentheses override precedence', () => {
      expect(parseFilter('(a = 1 OR b = 2) AND c = 3')).toEqual({
        kind: 'and',
        left: { kind: 'or', left: eq('a', 1), right: eq('b', 2) },
        right: eq('c', 3),
      });
      expect(parseFilter('((a = 1))')).toEqual(eq('a', 1));
    });

    it('associates chains to the left', () => {
      expect(parseFilter('a = 1 AND b = 2 AND c = 3')).toEqual({
        kind: 'and',
        left: { kind: 'and', left: eq('a', 1), right: eq('b', 2) },
        right: eq('c', 3),
      });
      expect(parseFilter('a = 1 OR b = 2 OR c = 3')).toEqual({
        kind: 'or',
        left: { kind: 'or', left: eq('a', 1), right: eq('b', 2) },
        right: eq('c', 3),
      });
    });

    it('parses the architecture example', () => {
      const node = parseFilter("name LIKE 'fraud%' AND tags.team = 'risk' AND stage = 'production' AND metrics.auc >= 0.9");
      expect(node).toEqual({
        kind: 'and',
        left: {
          kind: 'and',
          left: {
            kind: 'and',
            left: { kind: 'like', field: 'name', pattern: 'fraud%', caseInsensitive: false },
            right: eq('tags.team', 'risk'),
          },
          right: eq('stage', 'production'),
        },
        right: { kind: 'compare', field: 'metrics.auc', op: '>=', value: 0.9 },
      });
    });
  });

  describe('malformed input', () => {
    it('names the column and what was expected', () => {
      const e = errorOf('name = ');
      expect(e.message).toBe("expected a value after '=' at column 8, found the end of the filter");
      expect(e.column).toBe(8);
      expect(errorOf("name = 'x' AND tags.team = ").message).toMatch(/expected a value after '=' at column 28/);
    });

    it.each([
      ["= 'x'", /expected a field name at column 1, found '='/],
      ["name = 'x", /unterminated string starting at column 8/],
      ['name = "x', /unterminated string starting at column 8/],
      ["name = 'x' AND", /expected a field name at column 15, found the end of the filter/],
      ["AND name = 'x'", /expected a field name at column 1, found AND/],
      ["name = 'x' OR OR b = 1", /expected a field name at column 15, found OR/],
      ["name = 'x' AND AND b = 1", /expected a field name/],
      ['()', /empty parentheses at column 1/],
      ["name = 'x' AND ()", /empty parentheses at column 16/],
      ["(name = 'x'", /expected '\)' to close the '\(' at column 1, found the end of the filter/],
      ["name = 'x')", /unmatched '\)' at column 11/],
      ["name 'x'", /expected an operator .* after 'name' at column 6, found a string/],
      ['name', /expected an operator/],
      ["name == 'x'", /expected a value after '=' at column 7, found '='/],
      ["name = 'x' 'y'", /expected AND, OR or the end of the filter at column 12, found a string/],
      ["name = 'x' b = 1", /expected AND, OR or the end of the filter at column 12, found 'b'/],
      ["name ! 'x'", /unexpected character '!' at column 6/],
      ["name = 'x' && b = 1", /unexpected character '&' at column 12/],
      ["name = 'x'; DROP TABLE models", /unexpected character ';' at column 11/],
      ['name = $1', /unexpected character '\$'/],
      ['name = @x', /unexpected character '@'/],
      ['name = ?', /unexpected character '\?'/],
      ["name = x'00'", /expected a value after '=' at column 8, found 'x'/],
      ['name = null', /expected a value .* found 'null'/],
      ['name = true', /expected a value .* found 'true'/],
      ["name = 'a' + 'b'", /unexpected character '\+'/],
      ['name = -', /unexpected character '-'/],
      ["name \u0000= 'x'", /unexpected character U\+0000 at column 6/],
      ["name\u00a0= 'x'", /unexpected character/],
      ['name LIKE 1', /expected a quoted pattern after LIKE at column 11, found '1'/],
      ['name ILIKE', /expected a quoted pattern after ILIKE/],
      ["name NOT = 'x'", /expected LIKE or ILIKE after NOT at column 10, found '='/],
      ["name NOT IN ('x')", /expected LIKE or ILIKE after NOT/],
      ["NOT name = 'x'", /expected a field name at column 1, found NOT/],
      ["name IN 'x'", /expected '\(' after IN at column 9, found a string/],
      ['name IN ()', /empty IN list at column 9/],
      ["name IN ('a',)", /expected a value after ',' at column 14, found '\)'/],
      ["name IN ('a' 'b')", /expected ',' or '\)' in IN list at column 14/],
      ["name IN ('a'", /expected ',' or '\)' in IN list .* found the end of the filter/],
      ["name IN (,'a')", /expected a value after '\('/],
      ['name IN (name)', /expected a value after '\(' at column 10, found 'name'/],
      ['a = 1 AND (b = 2', /expected '\)' to close the '\(' at column 11/],
      ['(a = 1) (b = 2)', /expected AND, OR .* at column 9, found '\('/],
      ['a = 1 AND', /expected a field name/],
      ['OR', /expected a field name at column 1, found OR/],
      ['and = 1', /expected a field name at column 1, found AND/],
    ])('rejects %j', (text, message) => {
      expect(errorOf(text).message).toMatch(message);
    });

    it('rejects empty and whitespace-only text', () => {
      expect(errorOf('').message).toMatch(/filter is empty/);
      expect(errorOf('   \n\t ').message).toMatch(/filter is empty/);
    });

    it('never turns injection-looking text into anything but a failure or a plain literal', () => {
      // `1=1` would need a field on the left, and `--` is not a comment.
      expect(() => parseFilter("name = 'x' OR 1=1 --")).toThrow(FilterError);
      expect(() => parseFilter("name = 'x' OR 1=1")).toThrow(FilterError);
      expect(() => parseFilter("name = 'x' --")).toThrow(FilterError);
      expect(() => parseFilter("name = 'x' /* c */")).toThrow(FilterError);
      expect(() => parseFilter("name = 'x' OR '1'='1'")).toThrow(FilterError);
      expect(() => parseFilter("name = 'x'' OR ''1''=''1")).toThrow(FilterError);
      // Inside quotes the same text is only ever a value.
      expect(parseFilter("name = 'x'' OR 1=1 --'")).toEqual(eq('name', "x' OR 1=1 --"));
      expect(parseFilter(`name = '{"$ne": null}'`)).toEqual(eq('name', '{"$ne": null}'));
      expect(parseFilter("name = '; DROP TABLE models; --'")).toEqual(eq('name', '; DROP TABLE models; --'));
    });
  });

  describe('limits', () => {
    it(`rejects text longer than ${FILTER_LIMITS.maxLength} characters`, () => {
      const okText = `name = '${'a'.repeat(1000)}'`.padEnd(FILTER_LIMITS.maxLength, ' ');
      expect(() => parseFilter(okText)).not.toThrow();
      expect(errorOf(okText + ' ').message).toMatch(/longer than 4096 characters/);
    });

    it(`accepts ${FILTER_LIMITS.maxPredicates} predicates and rejects one more`, () => {
      const many = (n: number): string => Array.from({ length: n }, (_, i) => `a = ${i}`).join(' OR ');
      expect(() => parseFilter(many(50))).not.toThrow();
      expect(errorOf(many(51)).message).toMatch(/too many conditions \(at most 50\) at column/);
    });

    it(`accepts nesting depth ${FILTER_LIMITS.maxDepth} and rejects one more`, () => {
      const nested = (n: number): string => `${'('.repeat(n)}a = 1${')'.repeat(n)}`;
      expect(parseFilter(nested(16))).toEqual(eq('a', 1));
      expect(errorOf(nested(17)).message).toMatch(/nested deeper than 16 at column 17/);
      // Sibling groups do not add up.
      const siblings = Array.from({ length: 20 }, () => '(a = 1)').join(' AND ');
      expect(() => parseFilter(siblings)).not.toThrow();
    });

    it('survives deeply nested hostile input without overflowing the stack', () => {
      expect(() => parseFilter('('.repeat(4000))).toThrow(FilterError);
    });

    it(`accepts ${FILTER_LIMITS.maxInValues} IN values and rejects one more`, () => {
      const list = (n: number): string => `a IN (${Array.from({ length: n }, (_, i) => String(i)).join(',')})`;
      expect(parseFilter(list(100))).toMatchObject({ kind: 'in', values: expect.any(Array) });
      expect(errorOf(list(101)).message).toMatch(/more than 100 values/);
    });

    it(`accepts strings of ${FILTER_LIMITS.maxStringLength} characters and rejects longer ones`, () => {
      expect(parseFilter(`a = '${'x'.repeat(1024)}'`)).toEqual(eq('a', 'x'.repeat(1024)));
      // The limit applies to the value after unescaping.
      expect(parseFilter(`a = '${"''".repeat(1024)}'`)).toEqual(eq('a', "'".repeat(1024)));
      expect(errorOf(`a = '${'x'.repeat(1025)}'`).message).toMatch(/string starting at column 5 is longer than 1024/);
    });
  });
});

describe('LIKE wildcard limit', () => {
  it('accepts up to the limit of % wildcards and refuses more', () => {
    expect(() => parseFilter(`name LIKE '${'%a'.repeat(16)}'`)).not.toThrow();
    expect(() => parseFilter(`name LIKE '${'%a'.repeat(17)}'`)).toThrow(/at most 16/);
  });
});

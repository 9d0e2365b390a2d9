import type { BoundField } from '@mreg/shared/query';
import { compileFilter, compilePage, indexColumns, indexedPathsOf, jsonPath, likePrefix, prefixRange, sqlString, typedValue } from './sqlite-filter.compiler';

const name: BoundField = { name: 'name', path: ['name'], type: 'string' };
const awkward: BoundField = { name: 'tags.x', path: ['tags', `it's "q" \\ $' ?`], type: 'string' };

describe('the SQLite compiler', () => {
  it('writes an SQL string literal with its quotes doubled, and refuses a NUL', () => {
    expect(sqlString("it's")).toBe("'it''s'");
    expect(sqlString(jsonPath(awkward.path))).toBe(`'$."tags"."it''s \\"q\\" \\\\ $'' ?"'`);
    expect(() => sqlString('a\u0000b')).toThrow('NUL');
  });

  it('reads back the paths an index was built on, however awkward their keys', () => {
    const columns = indexColumns([
      { path: awkward.path, type: 'string' },
      { path: ['version'], type: 'number', direction: 'desc' },
    ]);
    expect(columns[1]).toBe(`(CASE WHEN json_type(doc, '$."version"') IN ('integer', 'real') THEN json_extract(doc, '$."version"') END) DESC`);
    expect(indexedPathsOf(`CREATE INDEX "x" ON "rm_t" (${columns.join(', ')}, id)`)).toEqual([jsonPath(awkward.path), '$."version"']);
  });

  it('binds the paths of fields without an index and every value, whatever they hold', () => {
    const filter = compileFilter({ kind: 'compare', field: awkward, op: '=', value: "x' OR 1 = 1 --" });
    expect(filter.text).not.toContain("it's");
    expect(filter.text).not.toContain('OR 1 = 1');
    expect(filter.params).toEqual([jsonPath(awkward.path), jsonPath(awkward.path), "x' OR 1 = 1 --"]);
    // Indexed: the path is in the text, spelled as the index spells it; the value is still bound.
    const indexed = compileFilter({ kind: 'compare', field: awkward, op: '=', value: "x' OR 1 = 1 --" }, new Set([jsonPath(awkward.path)]));
    expect(indexed.text).toBe(`${typedValue(awkward.path, 'string', new Set([jsonPath(awkward.path)])).text} = ?`);
    expect(indexed.params).toEqual(["x' OR 1 = 1 --"]);
  });

  it.each([
    ['abc%', 'abc'],
    ['abc', 'abc'],
    ['ab_c%', 'ab'],
    ['%abc', ''],
    ['ab\\%c%', 'ab%c'],
    ['ab\\_%', 'ab_'],
    ['ab\\\\%', 'ab\\'],
    ['ab\\', 'ab\\'],
    ['é\u{1F600}%', 'é\u{1F600}'],
  ])('the literal head of LIKE %j is %j', (pattern, prefix) => {
    expect(likePrefix(pattern)).toBe(prefix);
  });

  it.each([
    ['abc', { start: 'abc', end: 'abd' }],
    ['a\u{10FFFF}', { start: 'a\u{10FFFF}', end: 'b' }],
    ['\u{10FFFF}\u{10FFFF}', { start: '\u{10FFFF}\u{10FFFF}' }],
    ['a\u{D7FF}', { start: 'a\u{D7FF}', end: 'a\u{E000}' }],
    ['a\u{FFFF}', { start: 'a\u{FFFF}', end: 'a\u{10000}' }],
    ['', undefined],
    ['a\u0000', undefined],
    ['a\uD800', undefined],
  ])('the strings starting with %j are in %j', (prefix, range) => {
    expect(prefixRange(prefix)).toEqual(range);
  });

  it('orders a page by id when the filter holds the sort field to one value', () => {
    const pinned = compilePage(
      {
        table: 'rm_t',
        field: name,
        direction: 'desc',
        limit: 3,
        filter: { kind: 'and', left: { kind: 'compare', field: { ...name, type: 'timestamp' }, op: '=', value: 'a' }, right: { kind: 'compare', field: awkward, op: '=', value: 'b' } },
      },
      new Set(),
    );
    expect(pinned.text).toMatch(/ORDER BY id ASC LIMIT \?$/);
    const ranged = compilePage({ table: 'rm_t', field: name, direction: 'desc', limit: 3, filter: { kind: 'compare', field: name, op: '>=', value: 'a' } }, new Set());
    expect(ranged.text).toMatch(/ORDER BY sort_key DESC, id ASC LIMIT \?$/);
    const either = compilePage(
      { table: 'rm_t', field: name, direction: 'asc', limit: 3, filter: { kind: 'or', left: { kind: 'compare', field: name, op: '=', value: 'a' }, right: { kind: 'compare', field: name, op: '=', value: 'a' } } },
      new Set(),
    );
    expect(either.text).toMatch(/ORDER BY sort_key ASC, id ASC LIMIT \?$/);
  });
});

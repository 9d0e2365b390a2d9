import type { BoundField } from '@mreg/shared/query';
import { likeMatches } from './in-memory-filter';
import { decodeDocument, decodeKey, documentPath, encodeDocument, encodeKey } from './mongo-document.codec';
import { compileFilter, likeRegex, untyped } from './mongo-filter.compiler';

const field = (name: string, path: readonly string[], type: BoundField['type'] = 'string'): BoundField => ({ name, path, type });

/** A deterministic pseudo-random generator, so that a failure reproduces. */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const randomString = (random: () => number, alphabet: readonly string[], maxLength: number): string => Array.from({ length: Math.floor(random() * (maxLength + 1)) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');

describe('document key encoding', () => {
  it('encodes %, ., $ and NUL and nothing else', () => {
    expect(encodeKey('mlflow.source.type')).toBe('mlflow%2Esource%2Etype');
    expect(encodeKey('$where')).toBe('%24where');
    expect(encodeKey('100%')).toBe('100%25');
    expect(encodeKey('%2E')).toBe('%252E');
    expect(encodeKey('a\u0000b')).toBe('a%00b');
    expect(encodeKey('équipe-1_x:y')).toBe('équipe-1_x:y');
    expect(documentPath(['tags', 'team.name'])).toBe('doc.tags.team%2Ename');
  });

  it('decodes every key back to itself', () => {
    const random = generator(7);
    for (let i = 0; i < 2000; i++) {
      const key = randomString(random, ['%', '.', '$', '\u0000', '2', 'E', '5', '4', '0', 'a'], 8);
      const encoded = encodeKey(key);
      for (const forbidden of ['.', '$', '\u0000']) expect(encoded).not.toContain(forbidden);
      expect(decodeKey(encoded)).toBe(key);
    }
  });

  it('encodes keys at every depth, inside arrays too, keeping the JSON form', () => {
    const doc = { 'a.b': { $c: [{ 'd%': 1 }, 'e.f'] }, when: new Date(0), gone: undefined, nan: Number.NaN };
    const encoded = encodeDocument(doc);
    expect(encoded).toEqual({ 'a%2Eb': { '%24c': [{ 'd%25': 1 }, 'e.f'] }, when: '1970-01-01T00:00:00.000Z', nan: null });
    expect(decodeDocument(encoded)).toEqual({ 'a.b': { $c: [{ 'd%': 1 }, 'e.f'] }, when: '1970-01-01T00:00:00.000Z', nan: null });
  });

  it('keeps "__proto__" an ordinary key', () => {
    const decoded = decodeDocument(encodeDocument(JSON.parse('{"__proto__": {"x.y": 1}}') as object)) as Record<string, unknown>;
    expect(Object.hasOwn(decoded, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
  });

  it('rejects documents that are not JSON objects', () => {
    expect(() => encodeDocument([1, 2])).toThrow(TypeError);
  });
});

describe('LIKE as a regular expression', () => {
  it('anchors with \\A and \\z, translates wildcards and escapes metacharacters', () => {
    expect(likeRegex('fraud%', false)).toEqual({ $regex: '\\Afraud.*\\z', $options: 's' });
    expect(likeRegex('%%a%%%', true)).toEqual({ $regex: '\\A.*a.*\\z', $options: 'is' });
    expect(likeRegex('a_b', false).$regex).toBe('\\Aa.b\\z');
    expect(likeRegex('100\\%\\_', false).$regex).toBe('\\A100%_\\z');
    expect(likeRegex('a.b*c+d?(e)[f]{g}|h^i$j', false).$regex).toBe('\\Aa\\.b\\*c\\+d\\?\\(e\\)\\[f\\]\\{g\\}\\|h\\^i\\$j\\z');
    // A trailing backslash is a literal backslash, as in the evaluator.
    expect(likeRegex('a\\', false).$regex).toBe('\\Aa\\\\\\z');
    expect(likeRegex('a\u0000', false).$regex).toBe('\\Aa\\x00\\z');
  });

  it('matches exactly what the in-memory evaluator matches', () => {
    // JavaScript reads the same syntax except for the anchors; `u` makes `.` one code point, like PCRE and RE2.
    const asJs = (pattern: string, caseInsensitive: boolean): RegExp => {
      const { $regex, $options } = likeRegex(pattern, caseInsensitive);
      return new RegExp(`^${$regex.slice(2, -2)}$`, `${$options}u`);
    };
    const random = generator(42);
    const patternAlphabet = ['%', '_', '\\', 'a', 'A', 'é', 'É', '.', '*', '\n', '😀'];
    const valueAlphabet = ['a', 'A', 'é', 'É', '.', '*', '%', '_', '\\', '\n', '😀'];
    for (let i = 0; i < 3000; i++) {
      const pattern = randomString(random, patternAlphabet, 6);
      const value = randomString(random, valueAlphabet, 6);
      for (const caseInsensitive of [false, true]) {
        expect([pattern, value, caseInsensitive, asJs(pattern, caseInsensitive).test(value)]).toEqual([pattern, value, caseInsensitive, likeMatches(value, pattern, caseInsensitive)]);
      }
    }
  });
});

describe('compileFilter', () => {
  it('guards a comparison by type and against arrays at every depth', () => {
    expect(compileFilter({ kind: 'compare', field: field('metrics.auc', ['metrics', 'auc'], 'number'), op: '>=', value: 0.9 })).toEqual({
      $and: [{ 'doc.metrics': { $not: { $type: 'array' } } }, { 'doc.metrics.auc': { $type: 'number', $not: { $type: 'array' }, $gte: 0.9 } }],
    });
  });

  it('keeps the guard outside a negated LIKE', () => {
    expect(compileFilter({ kind: 'like', field: field('name', ['name']), pattern: 'x%', caseInsensitive: true, negated: true })).toEqual({
      $and: [{ 'doc.name': { $type: 'string', $not: { $type: 'array' } } }, { 'doc.name': { $not: { $regex: '\\Ax.*\\z', $options: 'is' } } }],
    });
  });

  it('puts values only where operands go and encodes every key of a path', () => {
    const hostile = field('tags.$where', ['tags', '$where']);
    expect(compileFilter({ kind: 'compare', field: hostile, op: '=', value: '{"$ne": 1}' })).toEqual({
      $and: [{ 'doc.tags': { $not: { $type: 'array' } } }, { 'doc.tags.%24where': { $type: 'string', $not: { $type: 'array' }, $eq: '{"$ne": 1}' } }],
    });
    expect(compileFilter({ kind: 'in', field: field('stage', ['stage']), values: ['$gt', 'a'] })).toEqual({
      'doc.stage': { $type: 'string', $not: { $type: 'array' }, $in: ['$gt', 'a'] },
    });
  });

  it('compiles an empty IN list and impossible literals to a filter matching nothing', () => {
    const nothing = { _id: { $in: [] } };
    expect(compileFilter({ kind: 'in', field: field('stage', ['stage']), values: [] })).toEqual(nothing);
    expect(compileFilter({ kind: 'compare', field: field('n', ['n'], 'number'), op: '=', value: 'abc' })).toEqual(nothing);
  });

  it('keeps AND/OR structure', () => {
    const a = { kind: 'compare', field: field('a', ['a']), op: '=', value: 'x' } as const;
    const b = { kind: 'compare', field: field('b', ['b']), op: '!=', value: 'y' } as const;
    expect(compileFilter({ kind: 'or', left: a, right: { kind: 'and', left: a, right: b } })).toEqual({
      $or: [compileFilter(a), { $and: [compileFilter(a), compileFilter(b)] }],
    });
  });

  it('describes the documents that sort as missing', () => {
    expect(untyped(field('n', ['n'], 'number'))).toEqual({ $nor: [{ 'doc.n': { $type: 'number', $not: { $type: 'array' } } }] });
  });
});

import type { BoundField, FilterSchema } from './filter.ast';
import { bindFilter } from './filter.binder';
import type { FilterError } from './filter.errors';
import { parseFilter } from './filter.parser';
import { filterErrorOf } from './__tests__/filter-error';

const schema: FilterSchema = {
  fields: {
    name: { path: ['name'], type: 'string' },
    version: { path: ['version'], type: 'number' },
    stage: { path: ['stage'], type: 'string' },
    created: { path: ['createdAt'], type: 'timestamp' },
  },
  prefixes: {
    tags: { path: ['tags'], type: 'string' },
    params: { path: ['params'], type: 'string' },
    metrics: { path: ['metrics'], type: 'number' },
  },
};

const bind = (text: string) => bindFilter(parseFilter(text), schema);
const field = (name: string, path: string[], type: BoundField['type']): BoundField => ({ name, path, type });

const errorOf = (text: string): FilterError => filterErrorOf(() => bind(text), text);

describe('bindFilter', () => {
  describe('resolving fields', () => {
    it('binds fixed fields to their document path and type', () => {
      expect(bind("name = 'fraud'")).toEqual({ kind: 'compare', field: field('name', ['name'], 'string'), op: '=', value: 'fraud' });
      expect(bind('created > 0')).toMatchObject({ field: field('created', ['createdAt'], 'timestamp') });
    });

    it('binds prefixed keys, keeping dots inside the key', () => {
      expect(bind("tags.team = 'risk'")).toMatchObject({ field: field('tags.team', ['tags', 'team'], 'string') });
      expect(bind("tags.mlflow.source.type = 'JOB'")).toMatchObject({
        field: field('tags.mlflow.source.type', ['tags', 'mlflow.source.type'], 'string'),
      });
      expect(bind("tags.`my key` = 'v'")).toMatchObject({ field: { path: ['tags', 'my key'] } });
      expect(bind('metrics.auc >= 0.9')).toMatchObject({ field: field('metrics.auc', ['metrics', 'auc'], 'number'), value: 0.9 });
    });

    it('prefers the longest matching prefix', () => {
      const nested: FilterSchema = {
        fields: {},
        prefixes: { a: { path: ['a'], type: 'string' }, 'a.b': { path: ['ab'], type: 'number' } },
      };
      expect(bindFilter(parseFilter('a.b.c = 1'), nested)).toMatchObject({ field: { path: ['ab', 'c'], type: 'number' } });
      expect(bindFilter(parseFilter('a.x = 1'), nested)).toMatchObject({ field: { path: ['a', 'x'], type: 'string' } });
    });

    it('rejects unknown fields and lists the allowed ones', () => {
      expect(errorOf("owner = 'x'").message).toBe("unknown field 'owner'; allowed fields: name, version, stage, created, tags.<key>, params.<key>, metrics.<key>");
      expect(errorOf("Name = 'x'").message).toMatch(/unknown field 'Name'/);
      expect(errorOf("labels.x = 'y'").message).toMatch(/unknown field 'labels.x'/);
      expect(errorOf("name.x = 'y'").message).toMatch(/unknown field 'name.x'/);
      expect(errorOf("tags = 'y'").message).toMatch(/unknown field 'tags'/);
    });

    it('never resolves prototype members as fields', () => {
      for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
        expect(errorOf(`${name} = 'x'`).message).toMatch(/unknown field/);
      }
    });

    it('validates prefixed keys', () => {
      expect(bind(`tags.${'k'.repeat(250)} = 'v'`)).toMatchObject({ field: { path: ['tags', 'k'.repeat(250)] } });
      expect(errorOf(`tags.${'k'.repeat(251)} = 'v'`).message).toMatch(/longer than 250/);
      expect(errorOf(`tags.\`${'k'.repeat(251)}\` = 'v'`).message).toMatch(/longer than 250/);
      expect(() => bindFilter({ kind: 'compare', field: 'tags.a\u0007', op: '=', value: 'v' }, schema)).toThrow(/control character/);
      expect(() => bindFilter({ kind: 'compare', field: 'tags.', op: '=', value: 'v' }, schema)).toThrow(/missing key/);
    });

    it('binds every branch of AND/OR trees', () => {
      const bound = bind("(name = 'a' OR stage = 'b') AND version = 1");
      expect(bound.kind).toBe('and');
      expect(() => bind("name = 'a' OR (stage = 'x' AND owner = 'b')")).toThrow(/unknown field 'owner'/);
      expect(bind("name = 'a' OR version IN (1, '2')")).toEqual({
        kind: 'or',
        left: { kind: 'compare', field: field('name', ['name'], 'string'), op: '=', value: 'a' },
        right: { kind: 'in', field: field('version', ['version'], 'number'), values: [1, 2] },
      });
    });
  });

  describe('coercing values', () => {
    it('number fields take numbers or numeric text', () => {
      expect(bind('version = 3')).toMatchObject({ value: 3 });
      expect(bind("version = '3'")).toMatchObject({ value: 3 });
      expect(bind("metrics.auc > '-0.5e1'")).toMatchObject({ value: -5 });
      for (const bad of ["'abc'", "''", "' 3'", "'0x10'", "'Infinity'", "'NaN'", "'1e999'", "'3 '"]) {
        expect(errorOf(`version = ${bad}`).message).toMatch(/field 'version' holds numbers; '.*' is not a number/);
      }
      expect(() => bind("metrics.auc IN (1, 'x')")).toThrow(/is not a number/);
    });

    it('string fields turn numbers into their text form', () => {
      expect(bind('name = 42')).toMatchObject({ value: '42' });
      expect(bind('tags.build = 1.5')).toMatchObject({ value: '1.5' });
      expect(bind("stage IN ('a', 7)")).toMatchObject({ values: ['a', '7'] });
    });

    it('timestamp fields take ISO dates, ISO date-times or epoch milliseconds, normalised to UTC ISO', () => {
      expect(bind("created >= '2024-03-03'")).toMatchObject({ value: '2024-03-03T00:00:00.000Z' });
      expect(bind("created < '2024-03-03T10:15:00+02:00'")).toMatchObject({ value: '2024-03-03T08:15:00.000Z' });
      expect(bind("created = '2024-03-03T10:15:30.5Z'")).toMatchObject({ value: '2024-03-03T10:15:30.500Z' });
      expect(bind('created > 0')).toMatchObject({ value: '1970-01-01T00:00:00.000Z' });
      expect(bind('created > 1709424000000')).toMatchObject({ value: '2024-03-03T00:00:00.000Z' });
      expect(bind("created IN ('2024-01-01', 86400000)")).toMatchObject({
        values: ['2024-01-01T00:00:00.000Z', '1970-01-02T00:00:00.000Z'],
      });
    });

    it('rejects timestamps that are not real instants', () => {
      for (const bad of ["'2024-02-30'", "'2024-03-03T10:15:00'", "'yesterday'", "''", "'1709424000000'", '1.5', '1e20']) {
        expect(errorOf(`created > ${bad}`).message).toMatch(/field 'created' holds timestamps/);
      }
    });
  });

  describe('LIKE', () => {
    it('applies to string fields, keeping the pattern and flags', () => {
      expect(bind("name LIKE 'fr%'")).toEqual({ kind: 'like', field: field('name', ['name'], 'string'), pattern: 'fr%', caseInsensitive: false });
      expect(bind("tags.team ILIKE 'R%'")).toEqual({
        kind: 'like',
        field: field('tags.team', ['tags', 'team'], 'string'),
        pattern: 'R%',
        caseInsensitive: true,
      });
      expect(bind("name NOT LIKE 'x%'")).toMatchObject({ kind: 'like', negated: true });
    });

    it('is rejected on number and timestamp fields', () => {
      expect(errorOf("version LIKE '1%'").message).toBe("LIKE applies only to text fields; 'version' holds numbers");
      expect(errorOf("metrics.auc ILIKE '0.9%'").message).toMatch(/ILIKE applies only to text fields/);
      expect(errorOf("created NOT LIKE '2024%'").message).toMatch(/NOT LIKE applies only to text fields; 'created' holds timestamps/);
    });
  });

  it('allows every comparison on every type', () => {
    for (const op of ['=', '!=', '<', '<=', '>', '>=']) {
      expect(() => bind(`name ${op} 'a' AND version ${op} 1 AND created ${op} '2024-01-01'`)).not.toThrow();
    }
  });
});

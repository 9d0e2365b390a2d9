import type { FilterSchema } from './filter.ast';
import { FilterError } from './filter.errors';
import { parseFilter } from './filter.parser';
import { FILTER_TOKENS_PATTERN, filterDescription, filterFields } from './filter.pattern';

const pattern = new RegExp(FILTER_TOKENS_PATTERN, 'u');

const parses = (text: string): boolean => {
  try {
    parseFilter(text);
    return true;
  } catch (e) {
    if (e instanceof FilterError) return false;
    throw e;
  }
};

describe('FILTER_TOKENS_PATTERN (the published grammar of ?filter=)', () => {
  it('matches every filter the parser accepts', () => {
    for (const text of [
      "name LIKE 'fraud%' AND tags.team = 'risk'",
      "name='a'",
      'version<=3',
      'version<>-3',
      'metrics.auc >= 0.9 OR metrics.auc < 1e-3',
      "(name = 'a' OR name = 'b') AND NOT_A_KEYWORD = 1",
      "name NOT ILIKE 'x_%' and stage in ('staging', \"production\")",
      'description = \'it\'\'s\' OR description = "say ""hi"""',
      'tags.`a b` = 1 OR tags.`x``y` != 2',
      'tags.mlflow.source.type = 2 AND params.lr:x-y = 3',
      'version = 1\tAND\r\nversion != 2',
      "name = 'café ≈ Ω'",
      'version IN (1,2 , 3)',
      '((((version = 1))))',
      'a=-1.5E+10',
      "a = 'x'",
    ]) {
      expect([text, parses(text)]).toEqual([text, true]);
      expect([text, pattern.test(text)]).toEqual([text, true]);
    }
  });

  it('matches no filter at all (empty or blank: the default)', () => {
    for (const text of ['', ' ', '\t\r\n']) expect(pattern.test(text)).toBe(true);
  });

  it('refuses what cannot be split into tokens (the parser refuses it too)', () => {
    for (const text of [
      'Á',
      '\u001b',
      "name = 'unterminated",
      'name = "x',
      'name = 1.2.3',
      'version = 12abc',
      'name ! 1',
      'name == 1;',
      'tags. = 1',
      'tags.a. = 1',
      'tags.`` = 1',
      'tags.`a`b = 1',
      'name = 1.',
      'name = -x',
      '#',
      'name = `x`',
      'version\u00a0= 1',
    ]) {
      expect([text, parses(text)]).toEqual([text, false]);
      expect([text, pattern.test(text)]).toEqual([text, false]);
    }
  });

  it('leaves the grammar and the fields to the parser and the binder (tokens that do not parse still match)', () => {
    for (const text of ['AND', 'name name', '((', 'name = = 1', "name IN 'x'"]) {
      expect([text, pattern.test(text), parses(text)]).toEqual([text, true, false]);
    }
  });

  it('takes each token whole: no exponential backtracking on a long text that does not match', () => {
    const started = process.hrtime.bigint();
    for (const text of [`${'1'.repeat(4000)}!`, `${"''".repeat(2000)}'`, `${'a'.repeat(4000)}!`, `${'<'.repeat(4000)}!`, `${'tags.a'.repeat(600)}!`]) {
      expect(pattern.test(text)).toBe(false);
    }
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(2000);
  });
});

describe('filterFields and filterDescription', () => {
  const schema: FilterSchema = {
    fields: { name: { path: ['name'], type: 'string' }, version: { path: ['version'], type: 'number' }, createdAt: { path: ['createdAt'], type: 'timestamp' } },
    prefixes: { tags: { path: ['tags'], type: 'string' } },
  };

  it('lists the fields and prefixes of a schema with their types', () => {
    expect(filterFields(schema)).toEqual({ name: 'string', version: 'number', createdAt: 'timestamp', 'tags.*': 'string' });
  });

  it('names them, and the limits, in the description', () => {
    const text = filterDescription(schema);
    expect(text).toContain('Fields: name (text), version (number), createdAt (timestamp), tags.<key> (text).');
    expect(text).toContain('At most 4096 characters, 50 conditions, 16 levels of parentheses');
  });
});

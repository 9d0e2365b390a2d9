import { MODEL_FILTER } from './catalog.schemas';
import { fieldOf, orderByPattern } from './list-query';

// The published orderBy pattern of a list accepts exactly the orders listPage accepts.
const ORDER_BY = /^\s*([A-Za-z_][A-Za-z0-9_.:/-]{0,300})(?:\s+(asc|desc))?\s*$/i;
const serverAccepts = (value: string): boolean => {
  if (value.trim() === '') return true;
  const field = ORDER_BY.exec(value)?.[1];
  if (field === undefined) return false;
  try {
    fieldOf(field, MODEL_FILTER);
    return true;
  } catch {
    return false;
  }
};

describe('orderByPattern', () => {
  const pattern = new RegExp(orderByPattern(MODEL_FILTER), 'u');
  it.each([
    '',
    '  ',
    'name',
    ' name  DESC ',
    'createdAt asc',
    'tags.team',
    'tags.a:b/c desc',
    'aliases.champion',
    '\u00a0name\u3000',
    'nam',
    'names',
    'name up',
    'tags.',
    'tags',
    'foo.bar',
    'name\u001casc',
    'constructor',
    `tags.${'k'.repeat(250)}`,
    `tags.${'k'.repeat(251)}`,
  ])('%j', (value) => {
    expect(pattern.test(value)).toBe(serverAccepts(value));
  });
});

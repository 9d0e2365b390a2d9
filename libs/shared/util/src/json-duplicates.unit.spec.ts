import { duplicateKeyIn } from './json-duplicates';

describe('duplicateKeyIn', () => {
  it.each([
    ['{"a":1,"a":2}', 'a'],
    ['{"x":{"stage":"staging","stage":"production"}}', 'stage'],
    ['[{"k":1},{"k":2,"k":3}]', 'k'],
    ['{"a\\u0062":1,"ab":2}', 'ab'],
    ['{ "a" : [1, {"b": 2}], "a": 0 }', 'a'],
  ])('finds the duplicate in %s', (text, key) => {
    expect(duplicateKeyIn(text)).toBe(key);
  });

  it.each(['{"a":1,"b":{"a":1}}', '[{"k":1},{"k":2}]', '{"a":"\\"a\\":","b":"{\\"a\\":1,\\"a\\":2}"}', '{"tags":{"a":"x"},"metrics":{"a":1}}', '{}', '[]', '"a"', '{"a":1,"a', '{"a'])('finds none in %s', (text) => {
    expect(duplicateKeyIn(text)).toBeUndefined();
  });
});

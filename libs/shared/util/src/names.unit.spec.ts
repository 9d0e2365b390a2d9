import { validateAlias, validateMetricKey, validateMetricValue, validateModelId, validateModelName, validateParamKey, validateTagKey, validateTagValue } from './names';

describe('validateModelId', () => {
  it('accepts a lower-case UUID', () => {
    expect(validateModelId('0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10')).toBeUndefined();
  });

  it.each(['', 'fraud', '0F7D5F0E-3C1A-4D2B-9A57-2F5E8C1B7A10', '0f7d5f0e3c1a4d2b9a572f5e8c1b7a10', '{0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10}', '0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a10\n', '../0f7d5f0e-3c1a-4d2b-9a57-2f5e8c1b7a1'])(
    'rejects %j',
    (id) => {
      expect(validateModelId(id)).toMatch(/lower-case UUID/);
    },
  );
});

describe('validateModelName', () => {
  it.each(['fraud-detector', 'a', '9', 'Model_v2.1', 'a.b-c_d', 'x'.repeat(256), 'UPPER'])('accepts %j', (name) => {
    expect(validateModelName(name)).toBeUndefined();
  });

  it.each([
    ['', /empty/],
    ['x'.repeat(257), /at most 256/],
    ['.hidden', /start with a letter or digit/],
    ['-x', /start with a letter or digit/],
    ['_x', /start with a letter or digit/],
    ['.', /start with a letter or digit/],
    ['..', /start with a letter or digit/],
    ['a..b', /"\.\."/],
    ['a/b', /only letters/],
    ['a b', /only letters/],
    ['a\tb', /only letters/],
    ['a\u0000', /only letters/],
    ['naïve', /only letters/],
    ['a\\b', /only letters/],
    ['a%2Fb', /only letters/],
    ['victim.', /end with "\."/],
    ['v1.', /end with "\."/],
  ])('rejects %j', (name, reason) => {
    expect(validateModelName(name)).toMatch(reason);
  });
});

describe('tag, param and metric keys', () => {
  const validators = [validateTagKey, validateParamKey, validateMetricKey];

  it.each([
    ['../x', /path steps/],
    ['a/../b', /path steps/],
    ['./x', /path steps/],
    ['/abs', /start with "\/"/],
    ['__proto__', /reserved/],
    ['constructor', /reserved/],
    ['hasOwnProperty', /reserved/],
  ])('refuse %j the same way wherever a key arrives', (key, reason) => {
    for (const validate of validators) expect(validate(key)).toMatch(reason);
  });

  it.each(['team', 'mlflow.source.type', 'a:b/c-d_e', 'with space', 'k'.repeat(250), '1'])('accept %j', (key) => {
    for (const validate of validators) expect(validate(key)).toBeUndefined();
  });

  it.each([
    ['', /empty/],
    ['k'.repeat(251), /at most 250/],
    [' lead', /start or end with a space/],
    ['trail ', /start or end with a space/],
    ['a\nb', /control characters/],
    ['a\u0085b', /control characters/],
    ['a=b', /may contain only/],
    ['a\\b', /may contain only/],
    ['é', /may contain only/],
    ['$where', /may contain only/],
  ])('reject %j', (key, reason) => {
    for (const validate of validators) expect(validate(key)).toMatch(reason);
  });

  it('name the kind of key in the message', () => {
    expect(validateTagKey('')).toMatch(/^tag key/);
    expect(validateParamKey('')).toMatch(/^param key/);
    expect(validateMetricKey('')).toMatch(/^metric key/);
  });
});

describe('validateTagValue', () => {
  it.each(['', 'risk', 'line 1\nline 2\r\n\tindented', 'ünïcødé 模型 😀', 'v'.repeat(5000)])('accepts %j', (value) => {
    expect(validateTagValue(value)).toBeUndefined();
  });

  it.each([
    ['v'.repeat(5001), /at most 5000/],
    ['a\u0000b', /control characters/],
    ['a\u001bb', /control characters/],
    ['a\u007fb', /control characters/],
    ['a\ud800b', /valid Unicode/],
    ['\udc00', /valid Unicode/],
  ])('rejects %j', (value, reason) => {
    expect(validateTagValue(value)).toMatch(reason);
  });
});

describe('validateAlias', () => {
  it.each(['champion', 'prod-2024', 'a', 'v1', '1st', 'a_b', 'x'.repeat(64)])('accepts %j', (alias) => {
    expect(validateAlias(alias)).toBeUndefined();
  });

  it.each([
    ['', /empty/],
    ['x'.repeat(65), /at most 64/],
    ['Champion', /lower-case/],
    ['-x', /lower-case/],
    ['_x', /lower-case/],
    ['a.b', /lower-case/],
    ['a b', /lower-case/],
    ['3', /only digits/],
    ['0042', /only digits/],
    ['latest', /reserved/],
  ])('rejects %j', (alias, reason) => {
    expect(validateAlias(alias)).toMatch(reason);
  });
});

describe('validateMetricValue', () => {
  it.each([0, -1, 0.5, 1e300, Number.MAX_VALUE])('accepts %p', (n) => {
    expect(validateMetricValue(n)).toBeUndefined();
  });

  it.each([NaN, Infinity, -Infinity, '1', null, undefined])('rejects %p', (n) => {
    expect(validateMetricValue(n)).toMatch(/finite number/);
  });
});

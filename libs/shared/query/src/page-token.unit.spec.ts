import { PAGE_TOKEN_MAX, PAGE_TOKEN_PATTERN, PageSizeError, PageTokenError, decodePageToken, encodePageToken, parsePageSize, queryFingerprint } from './page-token';

const fp = queryFingerprint(["name LIKE 'a%'", 'createdAt', 'desc']);
const b64 = (json: string): string => Buffer.from(json, 'utf8').toString('base64url');
const tag = (): string => JSON.parse(Buffer.from(encodePageToken({ value: null, id: 'x' }, fp), 'base64url').toString()).q;

describe('page tokens', () => {
  it.each([[{ value: 'fraud-detector', id: 'm-1' }], [{ value: 42.5, id: 'v-2' }], [{ value: -1, id: '' }], [{ value: null, id: 'm-3' }], [{ value: "quote\" back\\ 'é' 😀", id: 'ünï' }]])('round-trips %j', (cursor) => {
    const token = encodePageToken(cursor, fp);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(token).toMatch(new RegExp(PAGE_TOKEN_PATTERN, 'u'));
    expect(decodePageToken(token, fp)).toEqual(cursor);
  });

  it('rejects a token issued for a different query', () => {
    const token = encodePageToken({ value: 'a', id: '1' }, fp);
    const other = queryFingerprint(["name LIKE 'a%'", 'createdAt', 'asc']);
    expect(() => decodePageToken(token, other)).toThrow(PageTokenError);
    expect(() => decodePageToken(token, other)).toThrow(/different query/);
  });

  it('fingerprints keep part boundaries apart', () => {
    expect(queryFingerprint(['a', 'b'])).not.toBe(queryFingerprint(['ab']));
    expect(queryFingerprint(['a,b'])).not.toBe(queryFingerprint(['a', 'b']));
    expect(queryFingerprint(['a'])).toMatch(/^[0-9a-f]{64}$/);
  });

  // Malformed tokens: raw text, and JSON payloads (base64url-encoded here) that are not a token's.
  const malformedPayloads: Record<string, string> = {
    'not JSON': 'hello',
    'JSON array': '[1,"x"]',
    'JSON null': 'null',
    'JSON string': '"x"',
    'missing id': '{"v":1,"q":"x","k":null}',
    'extra key': '{"v":1,"q":"x","k":null,"i":"a","admin":true}',
    'wrong version': '{"v":2,"q":"x","k":null,"i":"a"}',
    'version as text': '{"v":"1","q":"x","k":null,"i":"a"}',
    'id as number': '{"v":1,"q":"x","k":null,"i":1}',
    'value as object': '{"v":1,"q":"x","k":{"$gt":""},"i":"a"}',
    'value as array': '{"v":1,"q":"x","k":[1],"i":"a"}',
    'value as boolean': '{"v":1,"q":"x","k":true,"i":"a"}',
    'value infinite': '{"v":1,"q":"x","k":1e999,"i":"a"}',
  };
  it.each([
    ['empty', ''],
    ['junk', 'not a token!'],
    ['padding', `${b64('{"v":1}')}=`],
    ['standard base64 alphabet', 'ab+/'],
    ['one stray character', 'a'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64url')],
    ['too long', 'A'.repeat(PAGE_TOKEN_MAX + 1)],
    ...Object.entries(malformedPayloads).map(([label, json]) => [label, b64(json)]),
  ])('rejects a malformed token: %s', (_label, token) => {
    expect(() => decodePageToken(token, fp)).toThrow(new PageTokenError('invalid page token'));
  });

  it('rejects non-canonical base64 that a lenient decoder would accept', () => {
    // A payload of 3n+1 bytes ends in a character whose 4 low bits are unused; flipping one decodes the same.
    let id = '';
    while (JSON.stringify({ v: 1, q: tag(), k: null, i: id }).length % 3 !== 1) id += 'x';
    const token = encodePageToken({ value: null, id }, fp);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const tweaked = token.slice(0, -1) + alphabet[alphabet.indexOf(token[token.length - 1]) ^ 1];
    expect(Buffer.from(tweaked, 'base64url')).toEqual(Buffer.from(token, 'base64url'));
    expect(decodePageToken(token, fp)).toEqual({ value: null, id });
    expect(() => decodePageToken(tweaked, fp)).toThrow(new PageTokenError('invalid page token'));
    expect(() => decodePageToken(`${token}A`, fp)).toThrow(PageTokenError);
  });

  it('accepts a hand-built token with the right shape (tokens are opaque, not secret)', () => {
    const token = b64(JSON.stringify({ i: 'z', k: 7, q: tag(), v: 1 }));
    expect(decodePageToken(token, fp)).toEqual({ value: 7, id: 'z' });
  });

  it('detects a tampered payload through its shape or fingerprint', () => {
    const token = encodePageToken({ value: 'a', id: '1' }, fp);
    const json = Buffer.from(token, 'base64url').toString('utf8');
    expect(() => decodePageToken(b64(json.replace(/"q":"[^"]*"/, '"q":"forged"')), fp)).toThrow(/different query/);
    expect(() => decodePageToken(b64(json.replace('"v":1', '"v":1,"v2":1')), fp)).toThrow('invalid page token');
  });

  it('refuses to encode a cursor too large for a token', () => {
    expect(() => encodePageToken({ value: 'x'.repeat(800), id: 'a' }, fp)).toThrow(RangeError);
  });
});

describe('parsePageSize', () => {
  it('uses the default when absent', () => {
    expect(parsePageSize(undefined)).toBe(50);
    expect(parsePageSize(undefined, { default: 10, max: 20 })).toBe(10);
  });

  it('accepts integer text and integers from 1 to max', () => {
    expect(parsePageSize('1')).toBe(1);
    expect(parsePageSize('1000')).toBe(1000);
    expect(parsePageSize('20', { default: 10, max: 20 })).toBe(20);
    expect(parsePageSize(25)).toBe(25);
  });

  it.each([['0'], ['1001'], ['-1'], ['1.5'], ['1e2'], [' 5'], ['5 '], ['05'], [''], ['abc'], ['0x10'], ['99999999999999999999'], [0], [1.5], [NaN], [Infinity], [null], [['5']], [{}], [true]])('rejects %j', (raw) => {
    expect(() => parsePageSize(raw)).toThrow(new PageSizeError('page size must be an integer from 1 to 1000'));
  });

  it('applies the given max', () => {
    expect(() => parsePageSize('21', { default: 10, max: 20 })).toThrow(PageSizeError);
  });
});

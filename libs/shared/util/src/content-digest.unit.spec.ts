import { createHash } from 'node:crypto';
import { CONTENT_DIGEST_PATTERN, ContentDigestError, formatContentDigest, parseContentDigest } from './content-digest';

const hex = createHash('sha256').update('hello').digest('hex');
const b64 = Buffer.from(hex, 'hex').toString('base64');
const sha512 = createHash('sha512').update('hello').digest('base64');

describe('parseContentDigest', () => {
  it('reads a sha-256 member as lower-case hex', () => {
    expect(parseContentDigest(`sha-256=:${b64}:`)).toEqual({ sha256Hex: hex });
  });

  it('accepts other algorithms, whitespace and parameters alongside, and reads sha-512 too', () => {
    const hex512 = Buffer.from(sha512, 'base64').toString('hex');
    expect(parseContentDigest(`sha-512=:${sha512}:, sha-256=:${b64}:`)).toEqual({ sha256Hex: hex, sha512Hex: hex512 });
    expect(parseContentDigest(`  sha-256=:${b64}:;note="x" ,\tsha-512=:${sha512}:  `)).toEqual({ sha256Hex: hex, sha512Hex: hex512 });
    expect(parseContentDigest(`md5=:AAAA:, unixsum=30637, id-sha-256=:${b64}:, sha-256=:${b64}:`)).toEqual({
      sha256Hex: hex,
    });
    expect(parseContentDigest(`x=("a" b);p=1.5, y=?1, z=@1700000000, w=%"caf%c3%a9", sha-256=:${b64}:`)).toEqual({
      sha256Hex: hex,
    });
  });

  // The cases the maintained structured-fields libraries on npm get wrong (decision 20), so the parser stays ours.
  it.each([
    ['a date followed by another member (structured-headers 2.1.0 throws)', `z=@1700000000, sha-256=:${b64}:`],
    ['a date with a parameter followed by another member', `z=@-1;p=1, sha-256=:${b64}:`],
    ['a display string followed by another member (RFC 8941-only libraries throw)', `w=%"caf%c3%a9", sha-256=:${b64}:`],
  ])('accepts RFC 9651 types before the sha-256 member: %s', (_label, header) => {
    expect(parseContentDigest(header)).toEqual({ sha256Hex: hex });
  });

  it('accepts sha-256 without base64 padding', () => {
    expect(parseContentDigest(`sha-256=:${b64.replace(/=+$/, '')}:`)).toEqual({ sha256Hex: hex });
  });

  it('reads a sha-512 member alone, and returns nothing for an empty header', () => {
    expect(parseContentDigest(`sha-512=:${sha512}:`)).toEqual({ sha512Hex: Buffer.from(sha512, 'base64').toString('hex') });
    expect(parseContentDigest('')).toEqual({});
    expect(parseContentDigest('   ')).toEqual({});
  });

  it('refuses a header that names only algorithms it cannot verify (the upload would go unchecked)', () => {
    expect(() => parseContentDigest('md5=:XUFAKrxLKna5cZ2REBfFkg==:')).toThrow(/no supported algorithm \(md5\)/);
    expect(() => parseContentDigest('crc32c=:AAAAAA==:, unixsum=30637')).toThrow(ContentDigestError);
    expect(() => parseContentDigest(`sha-512=:${b64}:`)).toThrow(/sha-512 must be 64 bytes/);
  });

  it('uses the last of duplicate members, as structured fields do', () => {
    const other = createHash('sha256').update('other').digest();
    expect(parseContentDigest(`sha-256=:${b64}:, sha-256=:${other.toString('base64')}:`)).toEqual({
      sha256Hex: other.toString('hex'),
    });
  });

  it.each([
    ['legacy Digest syntax', `sha-256=${b64}`],
    ['unterminated byte sequence', `sha-256=:${b64}`],
    ['missing value', 'sha-256='],
    ['upper-case key', `SHA-256=:${b64}:`],
    ['trailing comma', `sha-256=:${b64}:,`],
    ['double comma', `sha-256=:${b64}:,, sha-512=:${sha512}:`],
    ['missing comma', `sha-256=:${b64}: sha-512=:${sha512}:`],
    ['junk', 'not a digest!'],
    ['leading comma', `, sha-256=:${b64}:`],
    ['bad character in byte sequence', 'sha-256=:ab$c:'],
    ['unterminated string member', 'x="abc, sha-256=:AAAA:'],
    ['bad string escape', 'x="a\\n"'],
    ['control character', `sha-256=:${b64}:\u0000`],
    ['bad boolean', 'x=?2'],
    ['integer too long', 'x=1234567890123456'],
    ['decimal with 4 fraction digits', 'x=1.2345'],
    ['unterminated inner list', 'x=(a b'],
    ['bad display string', 'x=%"caf%C3%A9"'],
    ['invalid UTF-8 display string', 'x=%"%ff"'],
    ['parameter without key', `sha-256=:${b64}:;=1`],
  ])('rejects malformed syntax: %s', (_label, header) => {
    expect(() => parseContentDigest(header)).toThrow(ContentDigestError);
  });

  it.each([
    ['too short', `sha-256=:${Buffer.alloc(31).toString('base64')}:`, /32 bytes, got 31/],
    ['too long', `sha-256=:${sha512}:`, /32 bytes, got 64/],
    ['empty', 'sha-256=::', /32 bytes, got 0/],
    ['a token instead of bytes', 'sha-256=abc', /byte sequence/],
    ['a string instead of bytes', `sha-256="${b64}"`, /byte sequence/],
    ['a bare key', 'sha-256', /byte sequence/],
    ['padding in the middle', `sha-256=:AA==${b64}:`, /not valid base64/],
    ['wrong padding', `sha-256=:${b64}=:`, /not valid base64/],
    // RFC 9651 lets parsers ignore non-zero pad bits; a digest is compared byte for byte, so we do not.
    ['stray low bits', `sha-256=:${b64.slice(0, 42)}B=:`, /not valid base64/],
  ])('rejects a sha-256 member that is %s', (_label, header, reason) => {
    expect(() => parseContentDigest(header)).toThrow(reason);
  });
});

describe('formatContentDigest', () => {
  it('formats a structured-field byte sequence that parses back', () => {
    const header = formatContentDigest(hex);
    expect(header).toBe(`sha-256=:${b64}:`);
    expect(parseContentDigest(header)).toEqual({ sha256Hex: hex });
    expect(parseContentDigest(formatContentDigest(hex.toUpperCase()))).toEqual({ sha256Hex: hex });
  });

  it('rejects anything but 64 hex characters', () => {
    for (const bad of ['', 'abc', hex.slice(1), `${hex}0`, `${hex.slice(1)}g`]) {
      expect(() => formatContentDigest(bad)).toThrow(ContentDigestError);
    }
  });
});

describe('CONTENT_DIGEST_PATTERN (the published grammar of the header)', () => {
  const pattern = new RegExp(CONTENT_DIGEST_PATTERN, 'u');
  const other = createHash('sha256').update('other').digest('base64');

  it('matches every header the parser accepts', () => {
    for (const header of [
      `sha-256=:${b64}:`,
      `sha-512=:${sha512}:, sha-256=:${b64}:`,
      `  sha-256=:${b64}:;note="x" ,\tsha-512=:${sha512}:  `,
      `md5=:AAAA:, unixsum=30637, id-sha-256=:${b64}:, sha-256=:${b64}:`,
      `x=("a" b);p=1.5, y=?1, z=@1700000000, w=%"caf%c3%a9", sha-256=:${b64}:`,
      `z=@-1;p=1, sha-256=:${b64}:`,
      `sha-256=:${b64.replace(/=+$/, '')}:`,
      `sha-256=:${b64}:, sha-256=:${other}:`,
      `x=( a  "b\\"c" );q, *k=tok:/x, sha-256=:${b64}:\t`,
      '',
      '   ',
    ]) {
      expect(() => parseContentDigest(header)).not.toThrow();
      expect([header, pattern.test(header)]).toEqual([header, true]);
    }
  });

  it('refuses the malformed syntax a regular expression can see (the parser refuses it too)', () => {
    for (const header of [
      `sha-256=${b64}`,
      `sha-256=:${b64}`,
      'sha-256=',
      `SHA-256=:${b64}:`,
      `sha-256=:${b64}:,`,
      `sha-256=:${b64}:,, sha-512=:${sha512}:`,
      `sha-256=:${b64}: sha-512=:${sha512}:`,
      'not a digest!',
      `, sha-256=:${b64}:`,
      'sha-256=:ab$c:',
      'x="abc, sha-256=:AAAA:',
      'x="a\\n"',
      `sha-256=:${b64}:\u0000`,
      'x=?2',
      'x=(a b',
      'x=%"caf%C3%A9"',
      `sha-256=:${b64}:;=1`,
      `\tsha-256=:${b64}:`,
      'd\\TS',
    ]) {
      expect(() => parseContentDigest(header)).toThrow(ContentDigestError);
      expect([header, pattern.test(header)]).toEqual([header, false]);
    }
  });
});

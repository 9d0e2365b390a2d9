/** A `Content-Digest` header that is not a valid RFC 9530 / RFC 9651 dictionary, or a bad sha-256 entry. */
export class ContentDigestError extends Error {
  override readonly name = 'ContentDigestError';
}

export interface ContentDigest {
  /** The sha-256 digest as 64 lower-case hex characters, when the header carries one. */
  readonly sha256Hex?: string;
  /** The sha-512 digest as 128 lower-case hex characters, when the header carries one. */
  readonly sha512Hex?: string;
}

// Only byte sequences matter to us; every other structured-field value is parsed for syntax and dropped.
type MemberValue = { readonly kind: 'bytes'; readonly base64: string } | { readonly kind: 'other' };

const LCALPHA = /[a-z]/;
const ALPHA = /[A-Za-z]/;
const DIGIT = /[0-9]/;
const KEY_CHAR = /[a-z0-9_\-.*]/;
const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z:/]/;
const BASE64_CHAR = /[A-Za-z0-9+/=]/;

/**
 * A small RFC 9651 (structured fields) parser, just enough for a dictionary: each algorithm of RFC 9530
 * is a member whose value is a byte sequence, e.g. `sha-256=:X48E9q...=:, sha-512=:...:`.
 */
class DictionaryParser {
  private pos = 0;

  constructor(private readonly input: string) {}

  parse(): Map<string, MemberValue> {
    const members = new Map<string, MemberValue>();
    this.skip(' ');
    if (this.atEnd()) return members;
    for (;;) {
      const key = this.key();
      let value: MemberValue;
      if (this.peek() === '=') {
        this.pos++;
        value = this.peek() === '(' ? this.innerList() : this.item();
      } else {
        value = { kind: 'other' };
        this.parameters();
      }
      members.set(key, value);
      this.skipOws();
      if (this.atEnd()) return members;
      if (this.peek() !== ',') this.fail("expected ',' between members");
      this.pos++;
      this.skipOws();
      if (this.atEnd()) this.fail("trailing ','");
    }
  }

  private item(): MemberValue {
    const value = this.bareItem();
    this.parameters();
    return value;
  }

  private innerList(): MemberValue {
    this.pos++; // '('
    for (;;) {
      this.skip(' ');
      if (this.atEnd()) this.fail("unterminated inner list, expected ')'");
      if (this.peek() === ')') {
        this.pos++;
        this.parameters();
        return { kind: 'other' };
      }
      this.item();
      const next = this.peek();
      if (next !== ' ' && next !== ')') this.fail("expected ' ' or ')' in inner list");
    }
  }

  private parameters(): void {
    while (this.peek() === ';') {
      this.pos++;
      this.skip(' ');
      this.key();
      if (this.peek() === '=') {
        this.pos++;
        this.bareItem();
      }
    }
  }

  private key(): string {
    const start = this.pos;
    const first = this.peek();
    if (!(LCALPHA.test(first) || first === '*')) this.fail('expected a key');
    this.pos++;
    while (!this.atEnd() && KEY_CHAR.test(this.peek())) this.pos++;
    return this.input.slice(start, this.pos);
  }

  private bareItem(): MemberValue {
    const c = this.peek();
    if (c === '-' || DIGIT.test(c)) this.number();
    else if (c === '"') this.string();
    else if (c === '*' || ALPHA.test(c)) this.token();
    else if (c === ':') return { kind: 'bytes', base64: this.byteSequence() };
    else if (c === '?') this.boolean();
    else if (c === '@') {
      this.pos++;
      this.number(true);
    } else if (c === '%') this.displayString();
    else this.fail('expected a value');
    return { kind: 'other' };
  }

  private number(integerOnly = false): void {
    if (this.peek() === '-') this.pos++;
    const start = this.pos;
    let intDigits = 0;
    while (DIGIT.test(this.peek())) {
      this.pos++;
      intDigits++;
    }
    if (intDigits === 0) this.fail('expected a digit');
    if (this.peek() === '.' && !integerOnly) {
      if (intDigits > 12) this.fail('decimal has too many integer digits');
      this.pos++;
      let fracDigits = 0;
      while (DIGIT.test(this.peek())) {
        this.pos++;
        fracDigits++;
      }
      if (fracDigits < 1 || fracDigits > 3) this.fail('decimal must have 1 to 3 fractional digits');
    } else if (this.pos - start > 15) {
      this.fail('integer has too many digits');
    }
  }

  private string(): void {
    this.pos++; // '"'
    for (;;) {
      if (this.atEnd()) this.fail('unterminated string');
      const c = this.input[this.pos++];
      if (c === '"') return;
      if (c === '\\') {
        const escaped = this.input[this.pos++];
        if (escaped !== '"' && escaped !== '\\') this.fail('invalid escape in string');
      } else if (c < ' ' || c > '~') {
        this.fail('invalid character in string');
      }
    }
  }

  private token(): void {
    this.pos++;
    while (!this.atEnd() && TOKEN_CHAR.test(this.peek())) this.pos++;
  }

  private byteSequence(): string {
    this.pos++; // ':'
    const start = this.pos;
    while (!this.atEnd() && BASE64_CHAR.test(this.peek())) this.pos++;
    if (this.peek() !== ':') this.fail('unterminated or invalid byte sequence');
    const base64 = this.input.slice(start, this.pos);
    this.pos++;
    return base64;
  }

  private boolean(): void {
    this.pos++;
    const c = this.peek();
    if (c !== '0' && c !== '1') this.fail('expected ?0 or ?1');
    this.pos++;
  }

  private displayString(): void {
    this.pos++; // '%'
    if (this.peek() !== '"') this.fail("expected '\"' after '%'");
    this.pos++;
    const bytes: number[] = [];
    for (;;) {
      if (this.atEnd()) this.fail('unterminated display string');
      const c = this.input[this.pos++];
      if (c === '"') break;
      if (c === '%') {
        const hex = this.input.slice(this.pos, this.pos + 2);
        if (!/^[0-9a-f]{2}$/.test(hex)) this.fail('invalid escape in display string');
        bytes.push(parseInt(hex, 16));
        this.pos += 2;
      } else if (c < ' ' || c > '~') {
        this.fail('invalid character in display string');
      } else {
        bytes.push(c.charCodeAt(0));
      }
    }
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
    } catch {
      this.fail('display string is not valid UTF-8');
    }
  }

  private skip(ch: string): void {
    while (this.peek() === ch) this.pos++;
  }

  private skipOws(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  private peek(): string {
    return this.input.charAt(this.pos);
  }

  private atEnd(): boolean {
    return this.pos >= this.input.length;
  }

  private fail(reason: string): never {
    throw new ContentDigestError(`malformed Content-Digest header: ${reason} at position ${this.pos + 1}`);
  }
}

// The dictionary grammar above as one regular expression, for the published contract: every header the parser
// accepts matches it (a header can match and still be refused: no sha-256 or sha-512 member, a digest of the wrong
// length, not the digest of the body). Spaces only before the first member; spaces and tabs around commas and at the end.
const SF_KEY = '[a-z*][a-z0-9_.*-]*';
const SF_BARE_ITEM = ['-?[0-9]+(?:\\.[0-9]+)?', '"(?:[ !#-\\[\\]-~]|\\\\["\\\\])*"', "[*A-Za-z][!#$%&'*+.^_`|~0-9A-Za-z:/-]*", ':[A-Za-z0-9+/=]*:', '\\?[01]', '@-?[0-9]+', '%"(?:[ !#$&-~]|%[0-9a-f]{2})*"'].join('|');
const SF_PARAMETERS = `(?:; *${SF_KEY}(?:=(?:${SF_BARE_ITEM}))?)*`;
const SF_ITEM = `(?:${SF_BARE_ITEM})${SF_PARAMETERS}`;
const SF_MEMBER = `${SF_KEY}(?:=(?:\\( *(?:${SF_ITEM}(?: +${SF_ITEM})* *)?\\)${SF_PARAMETERS}|${SF_ITEM})|${SF_PARAMETERS})`;

/** What a `Content-Digest` header may look like: an RFC 9651 dictionary (empty: no digest). */
export const CONTENT_DIGEST_PATTERN = `^ *(?:${SF_MEMBER}(?:[ \\t]*,[ \\t]*${SF_MEMBER})*[ \\t]*)? *$`;

const DIGEST_BYTES = { 'sha-256': 32, 'sha-512': 64 } as const;
type SupportedAlgorithm = keyof typeof DIGEST_BYTES;

function digestFromBase64(algorithm: SupportedAlgorithm, base64: string): string {
  // Padding may be absent (RFC 9651 §4.2.7), but '=' may only appear at the end.
  const m = /^([A-Za-z0-9+/]*)(={0,2})$/.exec(base64);
  const data = m?.[1] ?? '';
  const bytes = m ? Buffer.from(data, 'base64') : Buffer.alloc(0);
  // Re-encoding catches bad padding and stray low bits that a lenient decoder would ignore.
  const canonical = bytes.toString('base64');
  if (!m || canonical.replace(/=+$/, '') !== data || (m[2] !== '' && canonical !== base64)) {
    throw new ContentDigestError(`malformed Content-Digest header: ${algorithm} is not valid base64`);
  }
  if (bytes.length !== DIGEST_BYTES[algorithm]) {
    throw new ContentDigestError(`Content-Digest ${algorithm} must be ${DIGEST_BYTES[algorithm]} bytes, got ${bytes.length}`);
  }
  return bytes.toString('hex');
}

/**
 * Reads an RFC 9530 `Content-Digest` header. Returns the sha-256 and sha-512 digests (lower-case hex) it carries,
 * both to be verified; other algorithms beside one of them are ignored (RFC 9530 §2). A header that names only
 * algorithms the registry cannot verify is refused rather than letting the upload go unverified. Throws
 * ContentDigestError on malformed syntax, on a member that is not a byte sequence of the algorithm's length,
 * and on a header with no supported algorithm.
 */
export function parseContentDigest(header: string): ContentDigest {
  if (typeof header !== 'string') throw new ContentDigestError('Content-Digest header must be a string');
  const members = new DictionaryParser(header.replace(/ +$/, '')).parse();
  if (members.size === 0) return {};
  const digest: { sha256Hex?: string; sha512Hex?: string } = {};
  for (const algorithm of Object.keys(DIGEST_BYTES) as SupportedAlgorithm[]) {
    const member = members.get(algorithm);
    if (member === undefined) continue;
    if (member.kind !== 'bytes') throw new ContentDigestError(`Content-Digest ${algorithm} must be a byte sequence (:base64:)`);
    digest[algorithm === 'sha-256' ? 'sha256Hex' : 'sha512Hex'] = digestFromBase64(algorithm, member.base64);
  }
  if (digest.sha256Hex === undefined && digest.sha512Hex === undefined) {
    const named = [...members.keys()].slice(0, 4).join(', ');
    throw new ContentDigestError(`Content-Digest names no supported algorithm (${named.slice(0, 100)}); use sha-256 or sha-512`);
  }
  return digest;
}

/** Formats a sha-256 digest (64 hex characters) as a `Content-Digest` header value. */
export function formatContentDigest(sha256Hex: string): string {
  if (!/^[0-9a-fA-F]{64}$/.test(sha256Hex)) {
    throw new ContentDigestError('sha-256 digest must be 64 hexadecimal characters');
  }
  return `sha-256=:${Buffer.from(sha256Hex, 'hex').toString('base64')}:`;
}

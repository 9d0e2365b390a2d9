import { createPublicKey, verify as verifySignature, constants } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';

/** The signature algorithms a verifier may be pinned to: asymmetric only, so no key is ever used as an HMAC secret. */
export const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/** Why a bearer JWT is refused (the caller answers 401 with it; never which key or claim value was expected). */
export class JwtRejected extends Error {
  constructor(readonly reason: string) {
    super(`token refused: ${reason}`);
    this.name = 'JwtRejected';
  }
}

export interface JwtVerifierOptions {
  /** The issuer's identifier: the `iss` every token must carry, exactly. */
  readonly issuer: string;
  /** The audience this service is: `aud` must be it or contain it. */
  readonly audience: string;
  /** The algorithms accepted (default RS256 and ES256); a token naming another is refused before any key is looked at. */
  readonly algorithms?: readonly JwtAlgorithm[];
  /** Clock skew allowed on `exp`, `nbf` and `iat`, in seconds (default 60). */
  readonly clockSkewSeconds?: number;
  /** Longest token accepted, in bytes (default 16 KiB). */
  readonly maxLength?: number;
}

/** Finds the verification key for a token's `kid` and `alg` (a JWKS, cached and refreshed on an unknown `kid`). */
export type KeyLookup = (kid: string | undefined, alg: JwtAlgorithm) => Promise<KeyObject | undefined>;

/** What each algorithm needs of its key: the type, the curve, the hash and the padding. */
const ALGORITHM: Readonly<Record<JwtAlgorithm, { kty: 'RSA' | 'EC' | 'OKP'; hash: string | null; curve?: string; pss?: boolean; ecSize?: number }>> = {
  RS256: { kty: 'RSA', hash: 'sha256' },
  RS384: { kty: 'RSA', hash: 'sha384' },
  RS512: { kty: 'RSA', hash: 'sha512' },
  PS256: { kty: 'RSA', hash: 'sha256', pss: true },
  PS384: { kty: 'RSA', hash: 'sha384', pss: true },
  PS512: { kty: 'RSA', hash: 'sha512', pss: true },
  ES256: { kty: 'EC', hash: 'sha256', curve: 'prime256v1', ecSize: 64 },
  ES384: { kty: 'EC', hash: 'sha384', curve: 'secp384r1', ecSize: 96 },
  ES512: { kty: 'EC', hash: 'sha512', curve: 'secp521r1', ecSize: 132 },
  EdDSA: { kty: 'OKP', hash: null, curve: 'ed25519' },
};

const B64URL = /^[A-Za-z0-9_-]*$/;

function decodeJson(part: string, what: string): Record<string, unknown> {
  if (!B64URL.test(part)) throw new JwtRejected(`malformed ${what}`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new JwtRejected(`malformed ${what}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new JwtRejected(`malformed ${what}`);
  return value as Record<string, unknown>;
}

/** Whether `key` is of the type (and curve) `alg` needs: an RSA key never verifies an ES256 token, and so on. */
function keyFits(key: KeyObject, alg: JwtAlgorithm): boolean {
  const need = ALGORITHM[alg];
  if (key.type !== 'public') return false;
  // RSA keys under 2048 bits are refused as too weak to trust.
  if (need.kty === 'RSA') return (key.asymmetricKeyType === 'rsa' || (need.pss === true && key.asymmetricKeyType === 'rsa-pss')) && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048;
  if (need.kty === 'EC') return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === need.curve;
  return key.asymmetricKeyType === need.curve;
}

/**
 * Verifies compact-serialised JWS bearer tokens (RFC 7515/7519) from one OpenID provider: the header's `alg` must
 * be one of the pinned algorithms (`none` and every HMAC algorithm never are), the key comes from the lookup by
 * `kid` and must be of that algorithm's type, the signature must verify, and `iss`, `aud`, `exp`, `nbf` and `iat`
 * must hold within the clock skew. Returns the claims.
 */
export class JwtVerifier {
  private readonly algorithms: ReadonlySet<string>;
  private readonly skew: number;
  private readonly maxLength: number;

  constructor(
    private readonly options: JwtVerifierOptions,
    private readonly keys: KeyLookup,
  ) {
    this.algorithms = new Set(options.algorithms ?? ['RS256', 'ES256']);
    for (const alg of this.algorithms) if (!(JWT_ALGORITHMS as readonly string[]).includes(alg)) throw new Error(`unsupported JWT algorithm ${alg}`);
    this.skew = options.clockSkewSeconds ?? 60;
    this.maxLength = options.maxLength ?? 16 * 1024;
  }

  async verify(token: string, nowSeconds = Date.now() / 1000): Promise<Record<string, unknown>> {
    if (token.length > this.maxLength) throw new JwtRejected('too long');
    const parts = token.split('.');
    if (parts.length !== 3) throw new JwtRejected('not a signed JWT');
    const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
    const header = decodeJson(headerPart, 'header');
    const alg = header['alg'];
    if (typeof alg !== 'string' || !this.algorithms.has(alg)) throw new JwtRejected('algorithm not accepted');
    if (header['crit'] !== undefined) throw new JwtRejected('critical header parameters are not supported');
    const kid = header['kid'];
    if (kid !== undefined && typeof kid !== 'string') throw new JwtRejected('malformed header');
    const claims = decodeJson(payloadPart, 'payload');
    if (!B64URL.test(signaturePart) || signaturePart === '') throw new JwtRejected('malformed signature');

    const algorithm = alg as JwtAlgorithm;
    const key = await this.keys(kid, algorithm);
    if (key === undefined || !keyFits(key, algorithm)) throw new JwtRejected('no key for this token');
    if (!this.signatureHolds(algorithm, key, `${headerPart}.${payloadPart}`, Buffer.from(signaturePart, 'base64url'))) throw new JwtRejected('bad signature');

    this.checkClaims(claims, nowSeconds);
    return claims;
  }

  private signatureHolds(alg: JwtAlgorithm, key: KeyObject, signingInput: string, signature: Buffer): boolean {
    const need = ALGORITHM[alg];
    const data = Buffer.from(signingInput, 'ascii');
    if (need.kty === 'EC' && signature.length !== need.ecSize) return false;
    try {
      if (need.kty === 'OKP') return verifySignature(null, data, key, signature);
      if (need.kty === 'EC') return verifySignature(need.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
      if (need.pss) return verifySignature(need.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature);
      return verifySignature(need.hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
    } catch {
      return false;
    }
  }

  private checkClaims(claims: Record<string, unknown>, now: number): void {
    if (claims['iss'] !== this.options.issuer) throw new JwtRejected('wrong issuer');
    const aud = claims['aud'];
    const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) && aud.every((a) => typeof a === 'string') ? aud : [];
    if (!audiences.includes(this.options.audience)) throw new JwtRejected('wrong audience');
    const exp = claims['exp'];
    if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new JwtRejected('no expiry');
    if (now - this.skew >= exp) throw new JwtRejected('expired');
    const nbf = claims['nbf'];
    if (nbf !== undefined && (typeof nbf !== 'number' || now + this.skew < nbf)) throw new JwtRejected('not valid yet');
    const iat = claims['iat'];
    if (iat !== undefined && (typeof iat !== 'number' || iat > now + this.skew)) throw new JwtRejected('issued in the future');
  }
}

/** A public key from one JWK of a JWKS (RSA, EC or OKP public parameters only; private members are refused). */
export function publicKeyOfJwk(jwk: JsonWebKey): KeyObject | undefined {
  if (jwk['d'] !== undefined || jwk.kty === 'oct') return undefined;
  try {
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    return key.type === 'public' ? key : undefined;
  } catch {
    return undefined;
  }
}

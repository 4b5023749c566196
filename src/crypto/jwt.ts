/**
 * @module crypto/jwt
 * The only module that imports `jose`: the key ring, signing, the
 * verification policy, and the public JWKS.
 *
 * Verification is pinned here, in this order: the compact JWS form and a size
 * limit; every segment in canonical base64url, header and payload strict
 * UTF-8 JSON objects without a byte order mark (one token, one spelling); a
 * protected header without embedded keys or key URLs (`jwk`, `jku`, `x5u`,
 * `x5c`) and without `crit`; a key chosen by `kid` (or, for tokens without
 * one, every key of the header's algorithm) whose own algorithm is the only
 * one allowed, which rules out `alg: none` and HMAC-with-a-public-key
 * confusion; the signature; then the registered claims (`exp`, `iat`, `jti`
 * required; `nbf`, `iss`, `aud` checked; `iat` not in the future; `exp`,
 * `iat`, `nbf` whole seconds up to {@link MAX_NUMERIC_DATE}; `exp - iat` at
 * most `maxLifetime`) with the configured leeway. Claims are read only after
 * the signature is verified.
 */
import {
  SignJWT,
  calculateJwkThumbprint,
  decodeJwt,
  errors,
  exportJWK,
  importJWK,
  importPKCS8,
  importSPKI,
  jwtVerify,
  type JWK,
  type JWTPayload,
} from 'jose';
import {
  KeyImportError,
  isHmac,
  type JwtAlgorithm,
  type KeyMaterial,
  type VerifyingKey,
} from './jwt-keys';
import { toHex, utf8 } from './encoding';
import { InvalidToken, checkTimes, checkedHeader } from './jwt-checks';

export {
  InvalidToken,
  MAX_NUMERIC_DATE,
  MAX_TOKEN_LENGTH,
  type InvalidTokenReason,
} from './jwt-checks';

const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

export interface JwtSettings {
  algorithm: JwtAlgorithm;
  /** The current signing key (an HMAC secret, or a private key as PEM or JWK). */
  signingKey: KeyMaterial;
  signingKeyId?: string | undefined;
  /** Older keys that still verify. */
  verifyingKeys: readonly VerifyingKey[];
  issuer?: string | undefined;
  audience?: string | undefined;
  /** Clock leeway in seconds. */
  leeway: number;
  /**
   * Longest `exp - iat` accepted, in seconds. simplejwt's refresh copies the
   * refresh token's `iat` into the new access token, so its tokens need
   * `REFRESH_TOKEN_LIFETIME + ACCESS_TOKEN_LIFETIME + LEEWAY`.
   */
  maxLifetime: number;
}

type KeyLike = Awaited<ReturnType<typeof importPKCS8>> | Uint8Array;

interface RingKey {
  kid: string;
  alg: JwtAlgorithm;
  verify: KeyLike;
  sign?: KeyLike;
  /** Published in the JWKS (asymmetric keys only). */
  publicJwk?: JWK;
}

export interface JwtCodec {
  /** Signs `claims` with the current key; the header is `{alg, typ: "JWT", kid}`. */
  sign(claims: JWTPayload): Promise<string>;
  /**
   * Verifies a token under the policy above at `now` (epoch ms; default: the
   * current time); throws {@link InvalidToken}.
   */
  verify(token: string, now?: number): Promise<JWTPayload>;
  /** The public keys, for `/.well-known/jwks.json`. */
  jwks(): Promise<{ keys: JWK[] }>;
}

function publicPart(jwk: JWK): JWK {
  const copy: Record<string, unknown> = { ...jwk };
  for (const member of PRIVATE_JWK_MEMBERS) delete copy[member];
  delete copy.key_ops;
  delete copy.ext;
  return copy as JWK;
}

async function hmacKeyId(secret: Uint8Array<ArrayBuffer>): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    secret,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = await crypto.subtle.sign('HMAC', key, utf8('edgeauth key id'));
  return `hs-${toHex(new Uint8Array(mac)).slice(0, 16)}`;
}

async function loadAsymmetric(material: KeyMaterial, alg: JwtAlgorithm) {
  if (typeof material === 'string') {
    if (/-----BEGIN PUBLIC KEY-----/.test(material)) {
      const verify = await importSPKI(material, alg, { extractable: true });
      return { verify, publicJwk: await exportJWK(verify) };
    }
    const sign = await importPKCS8(material, alg, { extractable: true });
    const publicJwk = publicPart(await exportJWK(sign));
    return { sign, verify: await importJWK(publicJwk, alg), publicJwk };
  }
  const jwk = material as JWK;
  const publicJwk = publicPart(jwk);
  const verify = await importJWK(publicJwk, alg);
  return jwk.d === undefined
    ? { verify, publicJwk }
    : { sign: await importJWK(jwk, alg), verify, publicJwk };
}

async function loadKey(material: KeyMaterial, alg: JwtAlgorithm, kid?: string): Promise<RingKey> {
  if (isHmac(alg)) {
    // Public key material must never become an HMAC secret (algorithm confusion).
    if (typeof material !== 'string' || material.trimStart().startsWith('-----BEGIN')) {
      throw new Error('an HMAC key must be a secret string');
    }
    const secret = utf8(material);
    // A CryptoKey, imported once: given bytes, jose would import them on every call.
    const hash = `SHA-${alg.slice(2)}`;
    const key = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash }, false, [
      'sign',
      'verify',
    ]);
    return { kid: kid ?? (await hmacKeyId(secret)), alg, verify: key, sign: key };
  }
  const { sign, verify, publicJwk } = await loadAsymmetric(material, alg);
  const jwkKid = typeof (material as JWK).kid === 'string' ? (material as JWK).kid : undefined;
  const id = kid ?? jwkKid ?? (await calculateJwkThumbprint(publicJwk));
  return {
    kid: id,
    alg,
    verify,
    ...(sign ? { sign } : {}),
    publicJwk: { ...publicJwk, kid: id, alg, use: 'sig' },
  };
}

/** Imports a configured key; a key that cannot be imported is a `KeyImportError` naming the setting. */
async function importSetting(setting: string, load: () => Promise<RingKey>): Promise<RingKey> {
  try {
    return await load();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new KeyImportError(setting, `could not be imported as a key (${why})`);
  }
}

async function loadRing(settings: JwtSettings): Promise<RingKey[]> {
  const signing = await importSetting('SIGNING_KEY', () =>
    loadKey(settings.signingKey, settings.algorithm, settings.signingKeyId),
  );
  if (!signing.sign) throw new KeyImportError('SIGNING_KEY', 'is a public key; it cannot sign');
  const older = await Promise.all(
    settings.verifyingKeys.map((entry) =>
      importSetting('VERIFYING_KEYS', () =>
        loadKey(entry.key, entry.alg ?? settings.algorithm, entry.kid),
      ),
    ),
  );
  return [signing, ...older];
}

function mapJoseError(err: unknown): InvalidToken {
  if (err instanceof errors.JWTExpired) return new InvalidToken('expired', err);
  if (err instanceof errors.JWTClaimValidationFailed) return new InvalidToken('claims', err);
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return new InvalidToken('signature', err);
  return new InvalidToken('malformed', err);
}

/**
 * The lifetime (`exp` - `iat`, seconds) of a token this service just minted,
 * read without verifying: for the lifetime of the cookie that carries it.
 */
export function unverifiedLifetime(token: string): number | undefined {
  try {
    const { exp, iat } = decodeJwt(token);
    return typeof exp === 'number' && typeof iat === 'number' ? exp - iat : undefined;
  } catch {
    return undefined;
  }
}

/**
 * @example
 * const codec = createJwtCodec({
 *   algorithm: 'HS256', signingKey: secret, verifyingKeys: [], leeway: 0, maxLifetime: 86_700,
 * });
 * const token = await codec.sign({ token_type: 'access', user_id: 1, jti, iat, exp });
 * const claims = await codec.verify(token);
 */
export function createJwtCodec(settings: JwtSettings): JwtCodec {
  let ring: Promise<RingKey[]> | undefined;
  const keys = () => (ring ??= loadRing(settings));

  return {
    async sign(claims) {
      const [signing] = await keys();
      return new SignJWT(claims)
        .setProtectedHeader({ alg: signing!.alg, typ: 'JWT', kid: signing!.kid })
        .sign(signing!.sign!);
    },

    async verify(token, now = Date.now()) {
      const header = checkedHeader(token);
      const candidates = (await keys()).filter(
        (key) => key.alg === header.alg && (header.kid === undefined || key.kid === header.kid),
      );
      if (candidates.length === 0) throw new InvalidToken('unknown key');
      let failure: InvalidToken = new InvalidToken('signature');
      for (const key of candidates) {
        try {
          const { payload } = await jwtVerify(token, key.verify, {
            algorithms: [key.alg],
            requiredClaims: ['exp', 'iat', 'jti'],
            clockTolerance: settings.leeway,
            currentDate: new Date(now),
            ...(settings.issuer === undefined ? {} : { issuer: settings.issuer }),
            ...(settings.audience === undefined ? {} : { audience: settings.audience }),
          });
          checkTimes(payload, settings, now);
          return payload;
        } catch (err) {
          if (err instanceof InvalidToken) throw err;
          failure = mapJoseError(err);
          if (failure.reason !== 'signature') break;
        }
      }
      throw failure;
    },

    async jwks() {
      const published = (await keys()).flatMap((key) => (key.publicJwk ? [key.publicJwk] : []));
      return { keys: published };
    },
  };
}

/**
 * The JWT verification policy (src/crypto/jwt.ts) against the attacks it
 * must refuse. Every refused token is answered on `GET /api/me/` exactly as
 * simplejwt answers an invalid access token (401, `Bearer realm="api"`, the
 * `messages` body) and, where the token view applies, by
 * `POST /api/token/verify/` with simplejwt's 401 `Token is invalid or expired`.
 * Each attack changes one thing in a token that is otherwise accepted; the
 * "control" cases show the unchanged token passing.
 */
import { env } from 'cloudflare:test';
import {
  EncryptJWT,
  FlattenedSign,
  SignJWT,
  exportJWK,
  exportPKCS8,
  exportSPKI,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JWK,
} from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  BEARER,
  INVALID_ACCESS,
  INVALID_TOKEN,
  bearer,
  call,
  configErrorOf,
  decodeParts,
  makeApp,
  makeUser,
  me,
  obtainPair,
  postJson,
  publicUser,
  type App,
  type TestUser,
} from './helpers';

const encoder = new TextEncoder();
const hsKey = encoder.encode(env.SECRET_KEY);

const app = makeApp();
let user: TestUser;

beforeAll(async () => {
  user = await makeUser(app);
});

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function b64url(text: string): string {
  let binary = '';
  for (const byte of encoder.encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

/** simplejwt's access-token claims for `user`, valid now; `undefined` removes a claim. */
function accessClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  const claims: Record<string, unknown> = {
    token_type: 'access',
    exp: now + 300,
    iat: now,
    jti: crypto.randomUUID().replace(/-/g, ''),
    user_id: user.id,
    ...overrides,
  };
  for (const [name, value] of Object.entries(claims)) {
    if (value === undefined) delete claims[name];
  }
  return claims;
}

type SigningKey = Parameters<SignJWT['sign']>[0];

/** A compact JWS signed with `key` (by default the app's HS256 key), header `{alg, typ, ...header}`. */
function mint(
  claims: Record<string, unknown> = accessClaims(),
  header: Record<string, unknown> = {},
  key: SigningKey = hsKey,
  crit?: Record<string, boolean>,
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...header })
    .sign(key, crit ? { crit } : undefined);
}

async function expectAccepted(target: App, token: string): Promise<void> {
  const res = await me(target, bearer(token));
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual(publicUser(user));
}

/** Refused by JWTAuthentication on /api/me/ and, unless `verify` is false, by /api/token/verify/. */
async function expectRefused(target: App, token: string, verify = true): Promise<void> {
  const res = await me(target, bearer(token));
  expect(res.status).toBe(401);
  expect(res.headers.get('WWW-Authenticate')).toBe(BEARER);
  expect(await res.json()).toEqual(INVALID_ACCESS);
  if (!verify) return;
  const verified = await postJson(target, '/api/token/verify/', { token });
  expect(verified.status).toBe(401);
  expect(verified.headers.get('WWW-Authenticate')).toBe(BEARER);
  expect(await verified.json()).toEqual(INVALID_TOKEN);
}

async function jwksOf(target: App): Promise<JWK[]> {
  const res = await call(target, '/.well-known/jwks.json');
  expect(res.status).toBe(200);
  return ((await res.json()) as { keys: JWK[] }).keys;
}

describe('the control: a token minted with the shared HS256 key', () => {
  it('is accepted by /api/me/ and /api/token/verify/, so each refusal below has one cause', async () => {
    const token = await mint();
    await expectAccepted(app, token);
    const res = await postJson(app, '/api/token/verify/', { token });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
  });
});

describe('alg "none"', () => {
  it('is refused with an empty signature', async () => {
    const token = `${b64url('{"alg":"none","typ":"JWT"}')}.${b64url(JSON.stringify(accessClaims()))}.`;
    await expectRefused(app, token);
  });

  it('is refused with a non-empty signature', async () => {
    const body = b64url(JSON.stringify(accessClaims()));
    await expectRefused(app, `${b64url('{"alg":"none","typ":"JWT"}')}.${body}.c2lnbmF0dXJl`);
  });

  it('is refused however "none" is spelt', async () => {
    const body = b64url(JSON.stringify(accessClaims()));
    for (const alg of ['None', 'NONE', 'nOnE']) {
      await expectRefused(app, `${b64url(JSON.stringify({ alg, typ: 'JWT' }))}.${body}.`, false);
    }
  });
});

describe('algorithm confusion: an HS256 token whose HMAC secret is the public key', () => {
  const asymmetric: Record<string, { app: App; jwk: JWK; pem: string }> = {};

  beforeAll(async () => {
    for (const alg of ['ES256', 'RS256'] as const) {
      const { privateKey } = await generateKeyPair(alg, { extractable: true });
      const target = makeApp({
        settings: { ALGORITHM: alg, SIGNING_KEY: await exportPKCS8(privateKey) },
      });
      const [jwk] = await jwksOf(target);
      // What an attacker does: turn the published JWK back into a PEM.
      const publicKey = (await importJWK(jwk!, alg, { extractable: true })) as CryptoKey;
      const pem = await exportSPKI(publicKey);
      asymmetric[alg] = { app: target, jwk: jwk!, pem };
    }
  });

  it.each(['ES256', 'RS256'])(
    'is refused by an %s app whose own tokens it accepts',
    async (alg) => {
      const { app: target, jwk, pem } = asymmetric[alg]!;
      const { access } = await obtainPair(target, user);
      await expectAccepted(target, access);

      const publicJwks = JSON.stringify({ keys: [jwk] });
      const secrets = [pem, `${pem}\n`, pem.trim(), JSON.stringify(jwk), publicJwks];
      for (const secret of secrets) {
        for (const header of [{}, { kid: jwk.kid }]) {
          await expectRefused(target, await mint(accessClaims(), header, encoder.encode(secret)));
        }
      }
    },
  );
});

describe('algorithm confusion through VERIFYING_KEYS', () => {
  it('never uses a public key listed for HS256 as an HMAC secret: the setting is refused at start-up', async () => {
    // An operator who moves back to HS256 and keeps the old (published) public key listed.
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const pem = await exportSPKI(publicKey);
    const error = configErrorOf(() =>
      makeApp({ settings: { VERIFYING_KEYS: JSON.stringify([pem]) } }),
    );
    expect(error.setting).toBe('VERIFYING_KEYS');
    expect(error.message).toContain('an HMAC key must be a secret string, not a PEM or JWK');
  });
});

describe('header parameters the policy forbids', () => {
  it('refuses a token with "crit", even one naming an extension it carries', async () => {
    const token = await mint(accessClaims(), { crit: ['exp'], exp: nowSeconds() + 300 }, hsKey, {
      exp: true,
    });
    expect(decodeParts(token).header.crit).toEqual(['exp']);
    await expectRefused(app, token);
  });

  it('refuses a token that embeds a key in "jwk", though signed with the real key', async () => {
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    await expectRefused(app, await mint(accessClaims(), { jwk }));
  });

  it('refuses a token signed by an attacker key that it carries in "jwk"', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const target = makeApp({
      settings: {
        ALGORITHM: 'ES256',
        SIGNING_KEY: await exportPKCS8(
          (await generateKeyPair('ES256', { extractable: true })).privateKey,
        ),
      },
    });
    const token = await mint(
      accessClaims(),
      { alg: 'ES256', jwk: await exportJWK(publicKey) },
      privateKey,
    );
    await expectRefused(target, token);
  });

  it.each([
    ['jku', 'https://attacker.test/.well-known/jwks.json'],
    ['x5u', 'https://attacker.test/cert.pem'],
    ['x5c', ['MIIBszCCAVmgAwIBAgIUQ2VydGlmaWNhdGU=']],
  ])('refuses a token carrying "%s", though signed with the real key', async (name, value) => {
    await expectRefused(app, await mint(accessClaims(), { [name]: value }));
  });
});

describe('token forms other than a compact JWS', () => {
  it('refuses a JWE (five-part compact serialisation)', async () => {
    const key = new Uint8Array(await crypto.subtle.digest('SHA-256', hsKey));
    const token = await new EncryptJWT(accessClaims())
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', typ: 'JWT' })
      .encrypt(key);
    expect(token.split('.')).toHaveLength(5);
    await expectRefused(app, token);
  });

  it('refuses a flattened JSON-serialised JWS signed with the real key', async () => {
    const jws = await new FlattenedSign(encoder.encode(JSON.stringify(accessClaims())))
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(hsKey);
    const token = JSON.stringify(jws);
    expect(token).not.toMatch(/\s/);
    await expectRefused(app, token);
  });

  it('refuses a token longer than 4096 characters, and accepts a padded one below', async () => {
    const below = await mint(accessClaims({ padding: 'p'.repeat(2800) }));
    expect(below.length).toBeLessThan(4096);
    await expectAccepted(app, below);

    const oversize = await mint(accessClaims({ padding: 'p'.repeat(3200) }));
    expect(oversize.length).toBeGreaterThan(4096);
    await expectRefused(app, oversize);
  });
});

describe('key identifiers', () => {
  it('accepts the kid of the app’s key and refuses an unknown kid', async () => {
    const { access } = await obtainPair(app, user);
    const kid = decodeParts(access).header.kid;
    expect(kid).toMatch(/^hs-[0-9a-f]{16}$/);
    await expectAccepted(app, await mint(accessClaims(), { kid }));
    await expectRefused(app, await mint(accessClaims(), { kid: 'hs-0000000000000000' }));
    await expectRefused(app, await mint(accessClaims(), { kid: '../../etc/passwd' }));
  });
});

describe('registered claims', () => {
  it.each(['exp', 'iat', 'jti'])('refuses a token without "%s"', async (claim) => {
    await expectRefused(app, await mint(accessClaims({ [claim]: undefined })));
  });

  it('refuses a token whose "nbf" is in the future', async () => {
    await expectRefused(app, await mint(accessClaims({ nbf: nowSeconds() + 60 })));
    await expectAccepted(app, await mint(accessClaims({ nbf: nowSeconds() - 1 })));
  });

  it('refuses a token whose "iat" is in the future beyond LEEWAY', async () => {
    const now = nowSeconds();
    await expectRefused(app, await mint(accessClaims({ iat: now + 3600, exp: now + 3900 })));
  });
});

describe('ISSUER and AUDIENCE', () => {
  const ISSUER = 'https://auth.edgeauth.test';
  const AUDIENCE = 'https://api.edgeauth.test';
  const scoped = makeApp({ settings: { ISSUER, AUDIENCE } });

  it('puts them in the tokens it issues, which it then accepts', async () => {
    const { access, refresh } = await obtainPair(scoped, user);
    for (const token of [access, refresh]) {
      expect(decodeParts(token).claims).toMatchObject({ iss: ISSUER, aud: AUDIENCE });
    }
    await expectAccepted(scoped, access);
    await expectAccepted(scoped, await mint(accessClaims({ iss: ISSUER, aud: AUDIENCE })));
  });

  it.each([
    ['a wrong "iss"', { iss: 'https://evil.test', aud: AUDIENCE }],
    ['no "iss"', { aud: AUDIENCE }],
    ['a wrong "aud"', { iss: ISSUER, aud: 'https://other-api.test' }],
    ['a wrong "aud" list', { iss: ISSUER, aud: ['https://other-api.test'] }],
    ['no "aud"', { iss: ISSUER }],
  ])('refuses a token with %s', async (_case, claims) => {
    await expectRefused(scoped, await mint(accessClaims(claims)));
  });

  it('refuses tokens from an app without them', async () => {
    const { access } = await obtainPair(app, user);
    await expectRefused(scoped, access);
  });
});

describe('expiry and LEEWAY, with the clock frozen', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Freezes the clock on a whole second and obtains a pair from `target`. */
  async function accessAtFrozenTime(target: App): Promise<{ access: string; exp: number }> {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = nowSeconds();
    vi.setSystemTime(start * 1000);
    const { access } = await obtainPair(target, user);
    const exp = decodeParts(access).claims.exp as number;
    expect(exp).toBe(start + 300);
    return { access, exp };
  }

  it('accepts an access token one second before exp and refuses it one second after (LEEWAY 0)', async () => {
    const { access, exp } = await accessAtFrozenTime(app);
    vi.setSystemTime((exp - 1) * 1000);
    await expectAccepted(app, access);
    vi.setSystemTime(exp * 1000);
    await expectRefused(app, access);
    vi.setSystemTime((exp + 1) * 1000);
    await expectRefused(app, access);
  });

  it('accepts an access token five seconds after exp with LEEWAY 10, not eleven seconds after', async () => {
    const lenient = makeApp({ settings: { LEEWAY: '10' } });
    const { access, exp } = await accessAtFrozenTime(lenient);
    vi.setSystemTime((exp + 5) * 1000);
    await expectAccepted(lenient, access);
    const verify = await postJson(lenient, '/api/token/verify/', { token: access });
    expect(verify.status).toBe(200);
    vi.setSystemTime((exp + 11) * 1000);
    await expectRefused(lenient, access);
  });

  it.each(['nbf', 'iat'])(
    'applies LEEWAY to "%s": five seconds in the future is accepted, fifteen is not',
    async (claim) => {
      const lenient = makeApp({ settings: { LEEWAY: '10' } });
      vi.useFakeTimers({ toFake: ['Date'] });
      const now = nowSeconds();
      vi.setSystemTime(now * 1000);
      await expectAccepted(lenient, await mint(accessClaims({ [claim]: now + 5 })));
      await expectRefused(lenient, await mint(accessClaims({ [claim]: now + 15 })));
    },
  );
});

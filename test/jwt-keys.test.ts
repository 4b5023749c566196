/**
 * JWT algorithms and keys: signing with every supported algorithm from a
 * secret, a PKCS#8 PEM or a JWK; the public JWKS; rotation through
 * `VERIFYING_KEYS`; `SIGNING_KEY_ID`; tokens without a `kid`; and the
 * configuration errors that keep a bad key from ever serving (parseConfig at
 * start-up, and a 503 naming `SIGNING_KEY` when a key fails to import on
 * first use).
 */
import { createExecutionContext, env } from 'cloudflare:test';
import {
  SignJWT,
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  exportPKCS8,
  exportSPKI,
  generateKeyPair,
  jwtVerify,
  type JWK,
} from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConfig, type ConfigError } from '../src/config';
import worker from '../src/index';
import {
  INVALID_ACCESS,
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

const ASYMMETRIC = ['ES256', 'EdDSA', 'PS256', 'RS256'] as const;
type Asymmetric = (typeof ASYMMETRIC)[number];
const HMAC = ['HS256', 'HS384', 'HS512'] as const;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

interface KeySet {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  pkcs8: string;
  spki: string;
  privateJwk: JWK;
  publicJwk: JWK;
  /** RFC 7638 thumbprint of the public key: edgeauth's default `kid`. */
  thumbprint: string;
}

async function keySet(alg: Asymmetric): Promise<KeySet> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return {
    privateKey,
    publicKey,
    pkcs8: await exportPKCS8(privateKey),
    spki: await exportSPKI(publicKey),
    privateJwk: await exportJWK(privateKey),
    publicJwk,
    thumbprint: await calculateJwkThumbprint(publicJwk),
  };
}

/** A strong HMAC secret (over 40 characters, no placeholder words). */
function hmacSecret(label: string): string {
  return `${label}-signing-key-0123456789-abcdefghijklmnopqrstuvwxyz`;
}

const utf8 = (text: string) => new TextEncoder().encode(text);

const keys = {} as Record<Asymmetric, KeySet>;
const app = makeApp();
let user: TestUser;

beforeAll(async () => {
  user = await makeUser(app);
  for (const alg of ASYMMETRIC) keys[alg] = await keySet(alg);
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function expectMe(target: App, token: string): Promise<void> {
  const res = await me(target, bearer(token));
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual(publicUser(user));
}

async function expectRefused(target: App, token: string): Promise<void> {
  const res = await me(target, bearer(token));
  expect(res.status).toBe(401);
  expect(res.headers.get('WWW-Authenticate')).toBe('Bearer realm="api"');
  expect(await res.json()).toEqual(INVALID_ACCESS);
}

async function jwks(target: App): Promise<{ res: Response; body: { keys: JWK[] } }> {
  const res = await call(target, '/.well-known/jwks.json');
  return { res, body: (await res.json()) as { keys: JWK[] } };
}

/** A simplejwt-style access token for `user`: header `{alg, typ}` without a `kid`. */
function mintWithoutKid(alg: string, key: CryptoKey | Uint8Array): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    token_type: 'access',
    exp: now + 300,
    iat: now,
    jti: crypto.randomUUID().replace(/-/g, ''),
    user_id: user.id,
  })
    .setProtectedHeader({ alg, typ: 'JWT' })
    .sign(key);
}

describe('signing algorithms', () => {
  it.each(HMAC)('%s with a 40+ character SIGNING_KEY signs tokens it accepts', async (alg) => {
    const secret = hmacSecret(alg.toLowerCase());
    const target = makeApp({ settings: { ALGORITHM: alg, SIGNING_KEY: secret } });
    const pair = await obtainPair(target, user);
    for (const token of [pair.access, pair.refresh]) {
      expect(decodeParts(token).header).toEqual({
        alg,
        typ: 'JWT',
        kid: expect.stringMatching(/^hs-[0-9a-f]{16}$/),
      });
      const { payload } = await jwtVerify(token, utf8(secret), { algorithms: [alg] });
      expect(payload.user_id).toBe(user.id);
    }
    await expect(jwtVerify(pair.access, utf8(env.SECRET_KEY))).rejects.toThrow();
    await expectMe(target, pair.access);
  });

  it.each(ASYMMETRIC)(
    '%s with a PKCS#8 PEM signs tokens whose kid is the key thumbprint',
    async (alg) => {
      const target = makeApp({ settings: { ALGORITHM: alg, SIGNING_KEY: keys[alg].pkcs8 } });
      const pair = await obtainPair(target, user);
      for (const token of [pair.access, pair.refresh]) {
        expect(decodeParts(token).header).toEqual({ alg, typ: 'JWT', kid: keys[alg].thumbprint });
        const { payload } = await jwtVerify(token, keys[alg].publicKey, { algorithms: [alg] });
        expect(payload.user_id).toBe(user.id);
      }
      await expectMe(target, pair.access);
    },
  );

  it.each(ASYMMETRIC)(
    '%s with a private JWK given as JSON signs tokens it accepts',
    async (alg) => {
      const target = makeApp({
        settings: { ALGORITHM: alg, SIGNING_KEY: JSON.stringify(keys[alg].privateJwk) },
      });
      const pair = await obtainPair(target, user);
      expect(decodeParts(pair.access).header).toEqual({
        alg,
        typ: 'JWT',
        kid: keys[alg].thumbprint,
      });
      const { payload } = await jwtVerify(pair.access, keys[alg].publicKey, { algorithms: [alg] });
      expect(payload.user_id).toBe(user.id);
      await expectMe(target, pair.access);
    },
  );

  it('reads a PEM whose line breaks were written as "\\n" (as in a one-line secret)', async () => {
    const oneLine = keys.ES256.pkcs8.trim().replace(/\n/g, '\\n');
    expect(oneLine).not.toContain('\n');
    const target = makeApp({ settings: { ALGORITHM: 'ES256', SIGNING_KEY: oneLine } });
    const { access } = await obtainPair(target, user);
    expect(decodeParts(access).header.kid).toBe(keys.ES256.thumbprint);
    await expectMe(target, access);
  });
});

describe('GET /.well-known/jwks.json', () => {
  it.each(ASYMMETRIC)('publishes only the public part of the %s signing key', async (alg) => {
    const target = makeApp({ settings: { ALGORITHM: alg, SIGNING_KEY: keys[alg].pkcs8 } });
    const { res, body } = await jwks(target);
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=300');
    expect(body).toEqual({
      keys: [{ ...keys[alg].publicJwk, kid: keys[alg].thumbprint, alg, use: 'sig' }],
    });
    for (const member of PRIVATE_MEMBERS) expect(body.keys[0]).not.toHaveProperty(member);
  });

  it('publishes the public part of a key configured as a private JWK', async () => {
    const privateJwk = { ...keys.EdDSA.privateJwk, key_ops: ['sign'], ext: true };
    const target = makeApp({
      settings: { ALGORITHM: 'EdDSA', SIGNING_KEY: JSON.stringify(privateJwk) },
    });
    const { body } = await jwks(target);
    expect(body).toEqual({
      keys: [{ ...keys.EdDSA.publicJwk, kid: keys.EdDSA.thumbprint, alg: 'EdDSA', use: 'sig' }],
    });
  });

  it('answers an empty set for an HMAC algorithm, whose key is secret', async () => {
    const { res, body } = await jwks(app);
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=300');
    expect(body).toEqual({ keys: [] });
  });

  it.each(ASYMMETRIC)('lets a third party verify %s tokens with the published set', async (alg) => {
    const target = makeApp({ settings: { ALGORITHM: alg, SIGNING_KEY: keys[alg].pkcs8 } });
    const { access } = await obtainPair(target, user);
    const keySetOf = createLocalJWKSet((await jwks(target)).body);
    const { payload, protectedHeader } = await jwtVerify(access, keySetOf, { algorithms: [alg] });
    expect(payload).toMatchObject({ token_type: 'access', user_id: user.id });
    expect(protectedHeader.kid).toBe(keys[alg].thumbprint);

    const other = makeApp({
      settings: { ALGORITHM: 'ES256', SIGNING_KEY: (await keySet('ES256')).pkcs8 },
    });
    const foreign = (await obtainPair(other, user)).access;
    await expect(jwtVerify(foreign, keySetOf)).rejects.toThrow();
  });
});

describe('key rotation with VERIFYING_KEYS', () => {
  let one: KeySet;
  let two: KeySet;
  let appA: App;
  let appB: App;
  let appC: App;

  beforeAll(async () => {
    one = await keySet('ES256');
    two = await keySet('ES256');
    appA = makeApp({ settings: { ALGORITHM: 'ES256', SIGNING_KEY: one.pkcs8 } });
    appB = makeApp({
      settings: {
        ALGORITHM: 'ES256',
        SIGNING_KEY: two.pkcs8,
        VERIFYING_KEYS: JSON.stringify([{ key: one.pkcs8, alg: 'ES256' }]),
      },
    });
    appC = makeApp({ settings: { ALGORITHM: 'ES256', SIGNING_KEY: two.pkcs8 } });
  });

  it('accepts tokens signed with the old key and signs new ones with the new key', async () => {
    const fromA = await obtainPair(appA, user);
    expect(decodeParts(fromA.access).header.kid).toBe(one.thumbprint);
    await expectMe(appB, fromA.access);

    const verify = await postJson(appB, '/api/token/verify/', { token: fromA.access });
    expect(verify.status).toBe(200);
    expect(await verify.json()).toEqual({});

    const refreshed = await postJson(appB, '/api/token/refresh/', { refresh: fromA.refresh });
    expect(refreshed.status).toBe(200);
    const rotated = (await refreshed.json()) as { access: string; refresh: string };
    expect(decodeParts(rotated.access).header.kid).toBe(two.thumbprint);
    expect(decodeParts(rotated.refresh).header.kid).toBe(two.thumbprint);
    await expectMe(appB, rotated.access);
  });

  it('publishes the signing key first, then the verifying key', async () => {
    const { body } = await jwks(appB);
    expect(body).toEqual({
      keys: [
        { ...two.publicJwk, kid: two.thumbprint, alg: 'ES256', use: 'sig' },
        { ...one.publicJwk, kid: one.thumbprint, alg: 'ES256', use: 'sig' },
      ],
    });
  });

  it('takes verifying keys as plain strings too, such as the old public key', async () => {
    const withPublicKey = makeApp({
      settings: {
        ALGORITHM: 'ES256',
        SIGNING_KEY: two.pkcs8,
        VERIFYING_KEYS: JSON.stringify([one.spki]),
      },
    });
    await expectMe(withPublicKey, (await obtainPair(appA, user)).access);
    expect((await jwks(withPublicKey)).body.keys.map((key) => key.kid)).toEqual([
      two.thumbprint,
      one.thumbprint,
    ]);
  });

  it('refuses tokens of the old key once it is no longer listed', async () => {
    const fromA = await obtainPair(appA, user);
    await expectRefused(appC, fromA.access);
    await expectRefused(appA, (await obtainPair(appC, user)).access);
  });

  it('verifies a token without a kid against every key of its algorithm', async () => {
    await expectMe(appB, await mintWithoutKid('ES256', one.privateKey));
    await expectMe(appB, await mintWithoutKid('ES256', two.privateKey));
    await expectRefused(appC, await mintWithoutKid('ES256', one.privateKey));
  });

  it('uses the kid given with a verifying key', async () => {
    const withKid = makeApp({
      settings: {
        ALGORITHM: 'ES256',
        SIGNING_KEY: two.pkcs8,
        VERIFYING_KEYS: JSON.stringify([{ key: one.spki, alg: 'ES256', kid: 'es256-2025' }]),
      },
    });
    expect((await jwks(withKid)).body.keys[1]).toMatchObject({ kid: 'es256-2025' });
    const token = await new SignJWT({
      token_type: 'access',
      exp: Math.floor(Date.now() / 1000) + 300,
      iat: Math.floor(Date.now() / 1000),
      jti: crypto.randomUUID().replace(/-/g, ''),
      user_id: user.id,
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: 'es256-2025' })
      .sign(one.privateKey);
    await expectMe(withKid, token);
  });
});

describe('mixed algorithms', () => {
  const oldSecret = hmacSecret('previous-hs256');
  let es: KeySet;
  let hsApp: App;
  let esApp: App;

  beforeAll(async () => {
    es = await keySet('ES256');
    hsApp = makeApp({ settings: { SIGNING_KEY: oldSecret } });
    esApp = makeApp({
      settings: {
        ALGORITHM: 'ES256',
        SIGNING_KEY: es.pkcs8,
        VERIFYING_KEYS: JSON.stringify([{ key: oldSecret, alg: 'HS256' }]),
      },
    });
  });

  it('accepts HS256 tokens of the old secret while signing with ES256', async () => {
    const old = await obtainPair(hsApp, user);
    expect(decodeParts(old.access).header.alg).toBe('HS256');
    await expectMe(esApp, old.access);
    await expectMe(esApp, await mintWithoutKid('HS256', utf8(oldSecret)));

    const fresh = await obtainPair(esApp, user);
    expect(decodeParts(fresh.access).header).toEqual({
      alg: 'ES256',
      typ: 'JWT',
      kid: es.thumbprint,
    });
    await expectMe(esApp, fresh.access);
  });

  it('never publishes the HMAC secret in the JWKS', async () => {
    const { body } = await jwks(esApp);
    expect(body).toEqual({
      keys: [{ ...es.publicJwk, kid: es.thumbprint, alg: 'ES256', use: 'sig' }],
    });
  });

  it('does not verify with SECRET_KEY once SIGNING_KEY is set', async () => {
    await expectRefused(esApp, await mintWithoutKid('HS256', utf8(env.SECRET_KEY)));
    await expectRefused(hsApp, await mintWithoutKid('HS256', utf8(env.SECRET_KEY)));
  });
});

describe('SIGNING_KEY_ID and kid-less tokens', () => {
  it('sets the kid of an asymmetric key in tokens and in the JWKS', async () => {
    const target = makeApp({
      settings: { ALGORITHM: 'ES256', SIGNING_KEY: keys.ES256.pkcs8, SIGNING_KEY_ID: 'es-2026-01' },
    });
    const pair = await obtainPair(target, user);
    expect(decodeParts(pair.access).header.kid).toBe('es-2026-01');
    expect(decodeParts(pair.refresh).header.kid).toBe('es-2026-01');
    expect((await jwks(target)).body.keys.map((key) => key.kid)).toEqual(['es-2026-01']);
    await expectMe(target, pair.access);
  });

  it('sets the kid of an HMAC key', async () => {
    const target = makeApp({ settings: { SIGNING_KEY_ID: 'hs-primary' } });
    const { access } = await obtainPair(target, user);
    expect(decodeParts(access).header).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'hs-primary' });
    await expectMe(target, access);
  });

  it('takes the kid of a JWK that has one', async () => {
    const jwk = { ...keys.ES256.privateJwk, kid: 'from-the-jwk' };
    const target = makeApp({ settings: { ALGORITHM: 'ES256', SIGNING_KEY: JSON.stringify(jwk) } });
    const { access } = await obtainPair(target, user);
    expect(decodeParts(access).header.kid).toBe('from-the-jwk');
  });

  it.each([
    ['HS256', () => makeApp(), () => utf8(env.SECRET_KEY)],
    [
      'ES256',
      () => makeApp({ settings: { ALGORITHM: 'ES256', SIGNING_KEY: keys.ES256.pkcs8 } }),
      () => keys.ES256.privateKey,
    ],
    [
      'EdDSA',
      () => makeApp({ settings: { ALGORITHM: 'EdDSA', SIGNING_KEY: keys.EdDSA.pkcs8 } }),
      () => keys.EdDSA.privateKey,
    ],
  ] as const)(
    'accepts an %s token minted without a kid, as simplejwt mints them',
    async (alg, build, key) => {
      const target = build();
      const token = await mintWithoutKid(alg, key());
      expect(decodeParts(token).header).toEqual({ alg, typ: 'JWT' });
      await expectMe(target, token);
    },
  );

  it('refuses a kid-less token of an algorithm it has no key for', async () => {
    const target = makeApp({ settings: { ALGORITHM: 'ES256', SIGNING_KEY: keys.ES256.pkcs8 } });
    await expectRefused(target, await mintWithoutKid('HS256', utf8(env.SECRET_KEY)));
    await expectRefused(target, await mintWithoutKid('EdDSA', keys.EdDSA.privateKey));
  });
});

describe('misconfigured keys', () => {
  function configError(settings: Record<string, unknown>): ConfigError {
    return configErrorOf(() =>
      parseConfig({ SECRET_KEY: env.SECRET_KEY, ...settings }, { warn: () => {} }),
    );
  }

  it.each([
    ['ES256 without a SIGNING_KEY', () => ({ ALGORITHM: 'ES256' })],
    ['ES256 with a plain secret', () => ({ ALGORITHM: 'ES256', SIGNING_KEY: hmacSecret('es') })],
    [
      'EdDSA with an incomplete PEM',
      () => ({ ALGORITHM: 'EdDSA', SIGNING_KEY: '-----BEGIN PRIVATE KEY-----\nMC4CAQ' }),
    ],
    ['HS256 with a PEM', () => ({ SIGNING_KEY: keys.ES256.pkcs8 })],
    ['HS256 with a JWK', () => ({ SIGNING_KEY: JSON.stringify(keys.ES256.privateJwk) })],
    ['a short HS256 key in production', () => ({ SIGNING_KEY: 'short-hs256-key' })],
    [
      'a placeholder HS256 key in production',
      () => ({ SIGNING_KEY: 'change-me-0123456789-abcdefghijklmnopq' }),
    ],
  ])('names SIGNING_KEY for %s', (_case, settings) => {
    const error = configError(settings());
    expect(error.setting).toBe('SIGNING_KEY');
    expect(error.message).toMatch(/^Invalid setting SIGNING_KEY: /);
  });

  it('warns about a weak HS256 key in development but keeps serving', () => {
    const warn = vi.fn();
    const config = parseConfig(
      { ENVIRONMENT: 'development', SECRET_KEY: env.SECRET_KEY, SIGNING_KEY: 'short-hs256-key' },
      { warn },
    );
    expect(config.SIGNING_KEY).toBe('short-hs256-key');
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^edgeauth: SIGNING_KEY /));
  });

  it.each([
    ['not JSON', () => 'not json'],
    ['not an array', () => JSON.stringify({ key: hmacSecret('old') })],
    ['an entry that is a number', () => '[42]'],
    ['an entry without a key', () => JSON.stringify([{ alg: 'ES256' }])],
    [
      'an entry with an unknown alg',
      () => JSON.stringify([{ key: hmacSecret('old'), alg: 'none' }]),
    ],
    ['an entry with an empty kid', () => JSON.stringify([{ key: hmacSecret('old'), kid: '' }])],
    ['a JSON key without kty', () => JSON.stringify(['{"crv":"P-256"}'])],
    [
      'an HMAC entry given as a JWK',
      () => JSON.stringify([{ key: { kty: 'oct', k: 'c2VjcmV0' }, alg: 'HS256' }]),
    ],
    ['an HMAC entry given as a PEM public key', () => JSON.stringify([keys.ES256.spki])],
    [
      'an HMAC entry given as a PEM, with alg',
      () => JSON.stringify([{ key: keys.RS256.spki, alg: 'HS256' }]),
    ],
    [
      'a weak HMAC entry in production',
      () => JSON.stringify([{ key: 'old-short-key', alg: 'HS256' }]),
    ],
  ])('names VERIFYING_KEYS for %s', (_case, value) => {
    const error = configError({ VERIFYING_KEYS: value() });
    expect(error.setting).toBe('VERIFYING_KEYS');
    expect(error.message).toMatch(/^Invalid setting VERIFYING_KEYS: /);
  });

  it('answers POST /api/token/ with a 503 when the key cannot be imported, naming SIGNING_KEY only in the log', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const broken = {
      ...env,
      ALGORITHM: 'ES256',
      SIGNING_KEY: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----',
    } as typeof env;
    const res = await worker.fetch(
      new Request('http://localhost/api/token/', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: user.username, password: user.password }),
      }),
      broken,
      createExecutionContext(),
    );
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      detail: 'The service is misconfigured; see the server log.',
      code: 'service_unavailable',
    });
    expect(errors).toHaveBeenCalledWith(
      expect.stringMatching(/refusing to serve: Invalid setting SIGNING_KEY: /),
    );
    expect(errors.mock.calls.flat().join('\n')).not.toContain('not a key');
  });

  it('fails closed with a 503, not a 401, when a well-formed token meets a key that cannot be imported', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const broken = makeApp({
      settings: {
        ALGORITHM: 'ES256',
        SIGNING_KEY: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----',
      },
    });
    const token = await mintWithoutKid('ES256', keys.ES256.privateKey);
    for (const res of [
      await me(broken, bearer(token)),
      await call(broken, '/.well-known/jwks.json'),
    ]) {
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        detail: 'The service is misconfigured; see the server log.',
        code: 'service_unavailable',
      });
    }
    expect(errors).toHaveBeenCalledWith(expect.stringMatching(/Invalid setting SIGNING_KEY/));
  });

  it('names SIGNING_KEY in the 503 when ENVIRONMENT is development', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const broken = makeApp({
      settings: {
        ENVIRONMENT: 'development',
        ALGORITHM: 'ES256',
        SIGNING_KEY: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----',
      },
    });
    const res = await call(broken, '/.well-known/jwks.json');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      detail: 'The service is misconfigured (setting SIGNING_KEY); see the server log.',
      code: 'service_unavailable',
    });
  });

  it.each([
    ['a public key', () => keys.ES256.spki],
    ['a key of another algorithm', () => keys.RS256.pkcs8],
  ])('answers POST /api/token/ with a 503 when SIGNING_KEY is %s', async (_case, pem) => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const broken = makeApp({ settings: { ALGORITHM: 'ES256', SIGNING_KEY: pem() } });
    const res = await postJson(broken, '/api/token/', {
      username: user.username,
      password: user.password,
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      detail: 'The service is misconfigured; see the server log.',
      code: 'service_unavailable',
    });
    expect(errors).toHaveBeenCalledWith(expect.stringMatching(/Invalid setting SIGNING_KEY/));
  });
});

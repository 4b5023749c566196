/**
 * Strict JWT parsing (issue 10, finding 6), on every path that decodes a
 * token: `Authorization: Bearer` on `/api/me/` and `/api/token/logout/`, the
 * access cookie, `verify/`, `refresh/` and `blacklist/` with the token in the
 * body, and `refresh/` with the refresh cookie. A token has one spelling
 * (canonical base64url in all three segments, strict UTF-8 JSON without a
 * byte order mark), its NumericDates are whole seconds in
 * [0, 9999-12-31T23:59:59Z], and `exp - iat` is at most
 * `REFRESH_TOKEN_LIFETIME + ACCESS_TOKEN_LIFETIME + LEEWAY`. Every token here
 * is validly signed with the app's key, so each refusal has the one cause its
 * case names; refusals are simplejwt's exact answers.
 */
import { env } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  BEARER,
  INVALID_ACCESS,
  INVALID_TOKEN,
  bearer,
  call,
  makeApp,
  makeUser,
  me,
  postJson,
  publicUser,
  type TestUser,
} from './helpers';

const CSRF = 'c'.repeat(64);
/** simplejwt's defaults, which the test Worker keeps. */
const ACCESS_LIFETIME = 300;
const REFRESH_LIFETIME = 86_400;

const app = makeApp();
const cookieApp = makeApp({ settings: { JWT_AUTH_COOKIE: 'access_token' } });
const encoder = new TextEncoder();
let user: TestUser;

beforeAll(async () => {
  user = await makeUser(app);
});

afterEach(() => {
  vi.useRealTimers();
});

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function b64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

const json = (value: unknown) => encoder.encode(JSON.stringify(value));
const concat = (...parts: Uint8Array[]) => new Uint8Array(parts.flatMap((part) => [...part]));
const BOM = new Uint8Array([0xef, 0xbb, 0xbf]);

/** HS256 over the segments exactly as given, with the app's key (its SIGNING_KEY is SECRET_KEY). */
async function sign(header: string, payload: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(env.SECRET_KEY),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(`${header}.${payload}`));
  return `${header}.${payload}.${b64url(new Uint8Array(mac))}`;
}

type Kind = 'access' | 'refresh';

/** simplejwt's claims for `user`, valid now; `undefined` removes one. */
function claims(kind: Kind, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  const all: Record<string, unknown> = {
    token_type: kind,
    exp: now + (kind === 'access' ? ACCESS_LIFETIME : REFRESH_LIFETIME),
    iat: now,
    jti: crypto.randomUUID().replace(/-/g, ''),
    user_id: user.id,
    ...overrides,
  };
  for (const [name, value] of Object.entries(all)) if (value === undefined) delete all[name];
  return all;
}

const HEADER = json({ alg: 'HS256', typ: 'JWT' });

/** Signs raw header and payload bytes. */
function mintBytes(header: Uint8Array, payload: Uint8Array): Promise<string> {
  return sign(b64url(header), b64url(payload));
}

function mint(kind: Kind, overrides: Record<string, unknown> = {}): Promise<string> {
  return mintBytes(HEADER, json(claims(kind, overrides)));
}

/** The same base64url text with the last character's unused low bits set (same bytes for a lenient decoder). */
function dirtyLastChar(segment: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const unused = [0, 0, 4, 2][segment.length % 4]!;
  expect(unused).toBeGreaterThan(0);
  const index = alphabet.indexOf(segment.slice(-1));
  return segment.slice(0, -1) + alphabet[index | 1]!;
}

/** Pads JSON with spaces until its base64url form leaves unused bits in its last character. */
function unalignedJson(value: unknown): Uint8Array {
  let text = JSON.stringify(value);
  while (text.length % 3 === 0) text += ' ';
  return encoder.encode(text);
}

interface Path {
  name: string;
  kind: Kind;
  send(token: string): Promise<Response>;
  /** The answer to a refused token. */
  refused: unknown;
}

/** A cookie plus DRF's CSRF pair, which a cookie-carried refresh token requires. */
function withCsrf(cookie: string): Record<string, string> {
  return { Cookie: `csrftoken=${CSRF}; ${cookie}`, 'X-CSRFToken': CSRF };
}

const PATHS: Path[] = [
  {
    name: 'Bearer on /api/me/',
    kind: 'access',
    send: (token) => me(app, bearer(token)),
    refused: INVALID_ACCESS,
  },
  {
    name: 'Bearer on /api/token/logout/',
    kind: 'access',
    send: (token) => call(app, '/api/token/logout/', { method: 'POST', headers: bearer(token) }),
    refused: INVALID_ACCESS,
  },
  {
    name: 'the access cookie on /api/me/',
    kind: 'access',
    send: (token) => me(cookieApp, { Cookie: `access_token=${token}` }),
    refused: INVALID_ACCESS,
  },
  {
    name: 'an access token on /api/token/verify/',
    kind: 'access',
    send: (token) => postJson(app, '/api/token/verify/', { token }),
    refused: INVALID_TOKEN,
  },
  {
    name: 'a refresh token on /api/token/verify/',
    kind: 'refresh',
    send: (token) => postJson(app, '/api/token/verify/', { token }),
    refused: INVALID_TOKEN,
  },
  {
    name: '/api/token/refresh/',
    kind: 'refresh',
    send: (token) => postJson(app, '/api/token/refresh/', { refresh: token }),
    refused: INVALID_TOKEN,
  },
  {
    name: '/api/token/blacklist/',
    kind: 'refresh',
    send: (token) => postJson(app, '/api/token/blacklist/', { refresh: token }),
    refused: INVALID_TOKEN,
  },
  {
    name: 'the refresh cookie on /api/token/refresh/',
    kind: 'refresh',
    send: (token) =>
      call(cookieApp, '/api/token/refresh/', {
        method: 'POST',
        headers: withCsrf(`refresh_token=${token}`),
      }),
    refused: INVALID_TOKEN,
  },
];

async function expectRefusedEverywhere(build: (kind: Kind) => Promise<string>): Promise<void> {
  for (const path of PATHS) {
    const res = await path.send(await build(path.kind));
    expect(res.status, path.name).toBe(401);
    expect(res.headers.get('WWW-Authenticate'), path.name).toBe(BEARER);
    expect(await res.json(), path.name).toEqual(path.refused);
  }
}

async function expectAcceptedEverywhere(build: (kind: Kind) => Promise<string>): Promise<void> {
  for (const path of PATHS) {
    const res = await path.send(await build(path.kind));
    expect(res.status, `${path.name}: ${await res.clone().text()}`).toBe(200);
  }
}

describe('the control', () => {
  it('accepts a token minted like simplejwt on every path, so each refusal below has one cause', async () => {
    await expectAcceptedEverywhere((kind) => mint(kind));
  });
});

describe('base64url: one spelling per token', () => {
  it('refuses a signature whose last character has non-zero unused bits', async () => {
    await expectRefusedEverywhere(async (kind) => {
      const [header, payload, signature] = (await mint(kind)).split('.');
      return `${header}.${payload}.${dirtyLastChar(signature!)}`;
    });
  });

  it('refuses a header whose last character has non-zero unused bits', async () => {
    await expectRefusedEverywhere(async (kind) => {
      const header = dirtyLastChar(b64url(unalignedJson({ alg: 'HS256', typ: 'JWT' })));
      return sign(header, b64url(json(claims(kind))));
    });
  });

  it('refuses a payload whose last character has non-zero unused bits', async () => {
    await expectRefusedEverywhere(async (kind) => {
      const payload = dirtyLastChar(b64url(unalignedJson(claims(kind))));
      return sign(b64url(HEADER), payload);
    });
  });

  it.each([
    ['padding', (segment: string) => `${segment}==`],
    ['standard base64 characters', (segment: string) => segment.replace(/-/g, '+') + '+/'],
  ])('refuses a payload spelt with %s', async (_case, respell) => {
    await expectRefusedEverywhere((kind) =>
      sign(b64url(HEADER), respell(b64url(json(claims(kind))))),
    );
  });
});

describe('strict UTF-8 JSON', () => {
  it('refuses a payload with a UTF-8 byte order mark before the JSON', async () => {
    await expectRefusedEverywhere((kind) => mintBytes(HEADER, concat(BOM, json(claims(kind)))));
  });

  it('refuses a header with a UTF-8 byte order mark before the JSON', async () => {
    await expectRefusedEverywhere((kind) => mintBytes(concat(BOM, HEADER), json(claims(kind))));
  });

  it('refuses a payload that is not valid UTF-8 (an extra claim with a 0xff byte)', async () => {
    await expectRefusedEverywhere((kind) => {
      const text = JSON.stringify(claims(kind, { note: 'X' }));
      const bytes = encoder.encode(text);
      bytes[text.indexOf('"X"') + 1] = 0xff;
      return mintBytes(HEADER, bytes);
    });
  });

  it('refuses a header that is not valid UTF-8', async () => {
    await expectRefusedEverywhere((kind) => {
      const header = encoder.encode('{"alg":"HS256","typ":"JWT","x":"X"}');
      header[header.length - 3] = 0xc3;
      return mintBytes(header, json(claims(kind)));
    });
  });
});

describe('NumericDate claims', () => {
  it.each([
    ['exp: 1e308', () => ({ exp: 1e308 })],
    ['exp after 9999-12-31T23:59:59Z', () => ({ exp: 253_402_300_800 })],
    ['a fractional exp', () => ({ exp: nowSeconds() + 60.5 })],
    ['a negative iat', () => ({ iat: -1 })],
    ['a fractional iat', () => ({ iat: nowSeconds() - 0.5 })],
    ['a negative nbf', () => ({ nbf: -1 })],
    ['nbf: -1e308', () => ({ nbf: -1e308 })],
  ])('refuses a validly signed token with %s', async (_case, overrides) => {
    await expectRefusedEverywhere((kind) => mint(kind, overrides()));
  });

  it('accepts an nbf of now and of the epoch', async () => {
    await expectAcceptedEverywhere((kind) => mint(kind, { nbf: nowSeconds() }));
    await expectAcceptedEverywhere((kind) => mint(kind, { nbf: 0 }));
  });
});

describe('exp − iat is bounded by REFRESH_TOKEN_LIFETIME + ACCESS_TOKEN_LIFETIME + LEEWAY', () => {
  /** What simplejwt's refresh mints at `now`: the refresh token's `iat`, a new `exp`. */
  function refreshedBySimplejwt(refreshIat: number, now: number) {
    return { iat: refreshIat, exp: now + ACCESS_LIFETIME };
  }

  it('accepts an access token refreshed by simplejwt a second before its refresh token expired', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const now = nowSeconds();
    vi.setSystemTime(now * 1000);
    const refreshIat = now - REFRESH_LIFETIME + 1;
    const access = await mint('access', refreshedBySimplejwt(refreshIat, now));
    const res = await me(app, bearer(access));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(publicUser(user));
    expect((await postJson(app, '/api/token/verify/', { token: access })).status).toBe(200);
  });

  it('accepts exactly the bound on every path, and refuses one second more', async () => {
    const bound = REFRESH_LIFETIME + ACCESS_LIFETIME;
    await expectAcceptedEverywhere((kind) =>
      mint(kind, { iat: nowSeconds() - bound + 60, exp: nowSeconds() + 60 }),
    );
    await expectRefusedEverywhere((kind) =>
      mint(kind, { iat: nowSeconds() - bound + 59, exp: nowSeconds() + 60 }),
    );
  });

  it('refuses a token that would live ten years', async () => {
    await expectRefusedEverywhere((kind) => mint(kind, { exp: nowSeconds() + 3650 * 86_400 }));
  });

  it('adds LEEWAY to the bound', async () => {
    const lenient = makeApp({ settings: { LEEWAY: '10' } });
    const bound = REFRESH_LIFETIME + ACCESS_LIFETIME + 10;
    const meIssuedAt = async (iat: number) => {
      const token = await mint('access', { iat, exp: nowSeconds() + 60 });
      return me(lenient, bearer(token));
    };
    expect((await meIssuedAt(nowSeconds() - bound + 60)).status).toBe(200);
    const res = await meIssuedAt(nowSeconds() - bound + 59);
    expect(res.status).toBe(401);
    expect(res.headers.get('WWW-Authenticate')).toBe(BEARER);
    expect(await res.json()).toEqual(INVALID_ACCESS);
  });
});

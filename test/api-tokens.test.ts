/**
 * The knox-style token management API: list, create, revoke one, log out
 * the token in use, log out all tokens; its bad inputs; scopes; and that no
 * user can ever see or revoke another user's tokens.
 */
import { Hono } from 'hono';
import { env } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  HasScope,
  IsAuthenticated,
  authenticate,
  edgeauthFromEnv,
  onError,
  requirePermission,
  type AppEnv,
} from '../src/lib';
import {
  PASSWORD,
  bearer,
  call,
  expectJson,
  makeApp,
  makeUser,
  me,
  obtainPair,
  postJson,
  publicUser,
  tokenHeader,
  type TestUser,
} from './helpers';

const app = makeApp();

interface Listed {
  id: string;
  name: string;
  created: string;
  expires: string | null;
  last_used: string | null;
  scopes: string[] | null;
  created_via: string;
  current: boolean;
}

interface Created extends Omit<Listed, 'current'> {
  token: string;
}

async function loginToken(user: TestUser): Promise<string> {
  const res = await postJson(app, '/api-token-auth/', {
    username: user.username,
    password: PASSWORD,
  });
  return ((await res.json()) as { token: string }).token;
}

async function create(headers: Record<string, string>, fields: Record<string, unknown>) {
  const res = await postJson(app, '/api/tokens/', fields, headers);
  return { status: res.status, body: (await res.json()) as Created & Record<string, unknown> };
}

async function list(headers: Record<string, string>): Promise<Listed[]> {
  const res = await call(app, '/api/tokens/', { headers });
  expect(res.status).toBe(200);
  return (await res.json()) as Listed[];
}

let alice: TestUser;
let bob: TestUser;
let aliceToken: string;

beforeAll(async () => {
  alice = await makeUser(app);
  bob = await makeUser(app);
  aliceToken = await loginToken(alice);
});

afterEach(() => {
  vi.useRealTimers();
});

describe('POST /api/tokens/', () => {
  it('creates a named token, shows it once, and it authenticates', async () => {
    const { status, body } = await create(tokenHeader(aliceToken), { name: 'laptop CLI' });
    expect(status).toBe(201);
    expect(body).toEqual({
      id: body.token.slice(4, 20),
      name: 'laptop CLI',
      created: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      expires: null,
      last_used: null,
      scopes: null,
      created_via: 'api',
      token: expect.stringMatching(/^eat_/),
    });
    expect((await me(app, tokenHeader(body.token))).status).toBe(200);
    const listed = await list(tokenHeader(aliceToken));
    expect(JSON.stringify(listed)).not.toContain(body.token);
    expect(listed.find((token) => token.id === body.id)).toMatchObject({
      name: 'laptop CLI',
      current: false,
    });
  });

  it('can be used with a JWT too', async () => {
    const { access } = await obtainPair(app, alice);
    expect((await create(bearer(access), { name: 'from a JWT session' })).status).toBe(201);
  });

  it('sets an expiry from expires_in', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-06-01T00:00:00Z'));
    const { body } = await create(tokenHeader(aliceToken), { name: 'short', expires_in: 3600 });
    expect(body.expires).toBe('2030-06-01T01:00:00.000Z');
    vi.setSystemTime(new Date('2030-06-01T01:00:01Z'));
    expect((await me(app, tokenHeader(body.token))).status).toBe(401);
  });

  it.each([
    [{}, { name: ['This field is required.'] }],
    [{ name: '' }, { name: ['This field may not be blank.'] }],
    [{ name: 'x'.repeat(101) }, { name: ['Ensure this field has no more than 100 characters.'] }],
    [{ name: ['a'] }, { name: ['Not a valid string.'] }],
    [{ name: 'ok', expires_in: 'soon' }, { expires_in: ['A valid integer is required.'] }],
    [{ name: 'ok', expires_in: 1.5 }, { expires_in: ['A valid integer is required.'] }],
    [
      { name: 'ok', expires_in: 10 },
      { expires_in: ['Ensure this value is between 60 and 315360000 seconds.'] },
    ],
    [
      { name: 'ok', scopes: 'read' },
      { scopes: ['Expected a list of items but got type "string".'] },
    ],
    [
      { name: 'ok', scopes: ['has space'] },
      { scopes: ['Each scope is 1 to 64 letters, digits or :._- characters.'] },
    ],
    [
      { name: 'ok', scopes: [1] },
      { scopes: ['Each scope is 1 to 64 letters, digits or :._- characters.'] },
    ],
  ])('answers %j with field errors', async (fields, errors) => {
    const { status, body } = await create(tokenHeader(aliceToken), fields);
    expect(status).toBe(400);
    expect(body).toEqual(errors);
  });

  it('answers malformed JSON with a parse error', async () => {
    const res = await call(app, '/api/tokens/', {
      method: 'POST',
      headers: { ...tokenHeader(aliceToken), 'Content-Type': 'application/json' },
      body: '{"name":',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'parse_error' });
  });

  it('refuses anonymous requests', async () => {
    const res = await postJson(app, '/api/tokens/', { name: 'x' });
    expect(res.status).toBe(401);
    expect(res.headers.get('WWW-Authenticate')).toBe('Bearer realm="api"');
  });

  it('stops at TOKEN_LIMIT_PER_USER with knox text', async () => {
    const limited = makeApp({ settings: { TOKEN_LIMIT_PER_USER: '2' } });
    const user = await makeUser(limited);
    const { access } = await obtainPair(limited, user);
    for (const name of ['one', 'two']) {
      expect((await postJson(limited, '/api/tokens/', { name }, bearer(access))).status).toBe(201);
    }
    const refused = await postJson(limited, '/api/tokens/', { name: 'three' }, bearer(access));
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      detail: 'Maximum amount of tokens allowed per user exceeded.',
      code: 'permission_denied',
    });
  });

  it('never exceeds the limit under concurrent creation', async () => {
    const limited = makeApp({ settings: { TOKEN_LIMIT_PER_USER: '3' } });
    const user = await makeUser(limited);
    const { access } = await obtainPair(limited, user);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        postJson(limited, '/api/tokens/', { name: `t${i}` }, bearer(access)),
      ),
    );
    expect(results.filter((res) => res.status === 201)).toHaveLength(3);
    expect(results.filter((res) => res.status === 403)).toHaveLength(5);
  });
});

describe('GET /api/tokens/', () => {
  it("lists only the caller's tokens, marking the one in use", async () => {
    const bobToken = await loginToken(bob);
    const listed = await list(tokenHeader(aliceToken));
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.filter((token) => token.current)).toHaveLength(1);
    const bobs = await list(tokenHeader(bobToken));
    const aliceIds = new Set(listed.map((token) => token.id));
    expect(bobs.some((token) => aliceIds.has(token.id))).toBe(false);
    expect(Object.keys(listed[0]!).sort()).toEqual(
      ['created', 'created_via', 'current', 'expires', 'id', 'last_used', 'name', 'scopes'].sort(),
    );
  });
});

describe('DELETE /api/tokens/{id}/', () => {
  it('revokes one of my tokens: 204, then it no longer authenticates', async () => {
    const { body } = await create(tokenHeader(aliceToken), { name: 'to revoke' });
    const res = await call(app, `/api/tokens/${body.id}/`, {
      method: 'DELETE',
      headers: tokenHeader(aliceToken),
    });
    expect(res.status).toBe(204);
    expect((await me(app, tokenHeader(body.token))).status).toBe(401);
    const again = await call(app, `/api/tokens/${body.id}/`, {
      method: 'DELETE',
      headers: tokenHeader(aliceToken),
    });
    expect(again.status).toBe(404);
  });

  it("answers another user's token id with 404, exactly like an unknown id, and leaves it working", async () => {
    const bobToken = await loginToken(bob);
    const bobId = (await list(tokenHeader(bobToken))).find((token) => token.current)!.id;
    const theirs = await call(app, `/api/tokens/${bobId}/`, {
      method: 'DELETE',
      headers: tokenHeader(aliceToken),
    });
    const unknown = await call(app, '/api/tokens/doesnotexist0000/', {
      method: 'DELETE',
      headers: tokenHeader(aliceToken),
    });
    expect(theirs.status).toBe(404);
    expect(await theirs.json()).toEqual(await unknown.json());
    expect((await me(app, tokenHeader(bobToken))).status).toBe(200);
  });

  it('answers GET on a token with 405', async () => {
    const res = await call(app, '/api/tokens/whatever/', { headers: tokenHeader(aliceToken) });
    expect(res.status).toBe(405);
    expect(res.headers.get('Allow')).toBe('DELETE, OPTIONS');
  });
});

describe('logout and logoutall', () => {
  it('logout/ revokes only the token in use', async () => {
    const user = await makeUser(app);
    const [first, second] = [await loginToken(user), await loginToken(user)];
    const res = await postJson(app, '/api/tokens/logout/', {}, tokenHeader(first));
    expect(res.status).toBe(204);
    expect((await me(app, tokenHeader(first))).status).toBe(401);
    expect((await me(app, tokenHeader(second))).status).toBe(200);
  });

  it('logout/ needs token authentication', async () => {
    const { access } = await obtainPair(app, alice);
    expect((await postJson(app, '/api/tokens/logout/', {}, bearer(access))).status).toBe(401);
  });

  it("logoutall/ revokes all of the caller's tokens and nobody else's", async () => {
    const user = await makeUser(app);
    const tokens = [await loginToken(user), await loginToken(user)];
    const bobToken = await loginToken(bob);
    expect(
      (await postJson(app, '/api/tokens/logoutall/', {}, tokenHeader(tokens[0]!))).status,
    ).toBe(204);
    for (const token of tokens) {
      expect((await me(app, tokenHeader(token))).status).toBe(401);
    }
    expect((await me(app, tokenHeader(bobToken))).status).toBe(200);
  });
});

describe('scopes', () => {
  function scopedApp() {
    const scoped = new Hono<AppEnv>();
    scoped.use(edgeauthFromEnv());
    scoped.onError(onError);
    scoped.get(
      '/reports',
      authenticate(),
      requirePermission(IsAuthenticated, HasScope('reports:read')),
      (c) => c.json({ ok: true }),
    );
    return scoped;
  }

  it('HasScope lets a token with the scope through, refuses one without, and passes unscoped credentials', async () => {
    const withScope = (
      await create(tokenHeader(aliceToken), { name: 'reports', scopes: ['reports:read'] })
    ).body.token;
    const without = (await create(tokenHeader(aliceToken), { name: 'other', scopes: ['billing'] }))
      .body.token;
    const reports = scopedApp();
    const get = (headers: Record<string, string>) => reports.request('/reports', { headers }, env);
    expect((await get(tokenHeader(withScope))).status).toBe(200);
    const refused = await get(tokenHeader(without));
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      detail: "This token's scopes do not include reports:read.",
      code: 'permission_denied',
    });
    expect((await get(tokenHeader(aliceToken))).status).toBe(200);
    expect((await get({})).status).toBe(401);
  });

  it("a scoped token cannot change the account or end the user's other credentials", async () => {
    const user = await makeUser(app);
    const full = await loginToken(user);
    const scoped = (await create(tokenHeader(full), { name: 'narrow', scopes: ['reports:read'] }))
      .body.token;
    const refused = async (res: Response, detail: string) => {
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ detail, code: 'permission_denied' });
    };
    const patch = await call(app, '/api/me/', {
      method: 'PATCH',
      headers: { ...tokenHeader(scoped), 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'attacker@evil.example' }),
    });
    await refused(patch, 'A scoped token cannot change the account.');
    await refused(
      await call(app, '/api/auth/sessions/', { headers: tokenHeader(scoped) }),
      'A scoped token cannot manage credentials.',
    );
    await refused(
      await postJson(app, '/api/token/logoutall/', {}, tokenHeader(scoped)),
      'A scoped token cannot manage credentials.',
    );
    await expectJson(await me(app, tokenHeader(scoped)), 200, publicUser(user));
    expect((await me(app, tokenHeader(full))).status).toBe(200);
  });

  it('a scoped token cannot manage tokens, so it cannot mint itself more power', async () => {
    const scoped = (await create(tokenHeader(aliceToken), { name: 'narrow', scopes: ['read'] }))
      .body.token;
    const res = await postJson(app, '/api/tokens/', { name: 'wider' }, tokenHeader(scoped));
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      detail: 'A scoped token cannot manage credentials.',
      code: 'permission_denied',
    });
    expect((await call(app, '/api/tokens/', { headers: tokenHeader(scoped) })).status).toBe(403);
    expect((await postJson(app, '/api/tokens/logout/', {}, tokenHeader(scoped))).status).toBe(204);
  });
});

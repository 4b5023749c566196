/**
 * The admin API's reading side: `GET /api/admin/users/` with DRF's search
 * and page-number pagination, `GET /api/admin/users/{id}/`, who may call
 * the admin routes at all, and storage outages. Changes are in
 * admin-users-changes.test.ts, the staff/superuser rules, revocation and
 * deletion in admin-users-rules.test.ts.
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BEARER,
  NOT_PROVIDED,
  UNAVAILABLE,
  bearer,
  call,
  expectJson,
  makeApp,
  makeUser,
  obtainPair,
  postJson,
  tokenHeader,
  type TestUser,
} from './helpers';
import {
  ADMIN,
  NOT_FOUND,
  adminGet,
  denied,
  makeStaff,
  makeSuperuser,
  type Admin,
} from './helpers/admin';
import { CookieJar, jsonLogin, send } from './helpers/browser';

const app = makeApp();
let root: Admin;

beforeAll(async () => {
  root = await makeSuperuser(app);
});

/** A prefix no other account has, so that a search finds exactly the accounts a test made. */
function prefix(): string {
  return `p${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`;
}

async function makeUsers(target: typeof app, base: string, n: number): Promise<TestUser[]> {
  const users: TestUser[] = [];
  for (let i = 0; i < n; i++) users.push(await makeUser(target, { username: `${base}_${i}` }));
  return users;
}

interface Page {
  count: number;
  next: string | null;
  previous: string | null;
  results: { id: number; username: string }[];
}

async function page(res: Response): Promise<Page> {
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
}

const INVALID_PAGE = { detail: 'Invalid page.', code: 'not_found' };

describe('GET /api/admin/users/', () => {
  it('lists the accounts by id, with the admin fields, in DRF’s page shape', async () => {
    const base = prefix();
    const [first, second] = await makeUsers(app, base, 2);
    const res = await adminGet(app, root.headers, `/users/?search=${base}`);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const body = await page(res);
    expect(Object.keys(body)).toEqual(['count', 'next', 'previous', 'results']);
    expect(body).toEqual({
      count: 2,
      next: null,
      previous: null,
      results: [first, second].map((user) => ({
        id: user.id,
        username: user.username,
        email: user.email,
        is_active: true,
        is_staff: false,
        is_superuser: false,
        date_joined: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        last_login: null,
        email_verified: false,
      })),
    });
    expect(first!.id).toBeLessThan(second!.id);
  });

  it('pages by PAGE_SIZE, with absolute next and previous links that keep the other parameters', async () => {
    const small = makeApp({ settings: { PAGE_SIZE: '2' } });
    const base = prefix();
    const users = await makeUsers(small, base, 5);
    const at = (query: string) => adminGet(small, root.headers, `/users/?${query}`);
    const url = (query: string) => `http://localhost${ADMIN}/users/?${query}`;

    const one = await page(await at(`search=${base}&zeta=z&alpha=a+b&alpha=%C3%A9`));
    expect(one.count).toBe(5);
    expect(one.results.map((user) => user.id)).toEqual([users[0]!.id, users[1]!.id]);
    expect(one.next).toBe(url(`alpha=a+b&alpha=%C3%A9&page=2&search=${base}&zeta=z`));
    expect(one.previous).toBeNull();

    const two = await page(await at(`page=2&search=${base}`));
    expect(two.results.map((user) => user.id)).toEqual([users[2]!.id, users[3]!.id]);
    expect(two.next).toBe(url(`page=3&search=${base}`));
    expect(two.previous).toBe(url(`search=${base}`));

    const three = await page(await at(`search=${base}&page=3`));
    expect(three.results.map((user) => user.id)).toEqual([users[4]!.id]);
    expect(three.next).toBeNull();
    expect(three.previous).toBe(url(`page=2&search=${base}`));

    expect(await page(await at(`search=${base}&page=last`))).toEqual(three);
    await expectJson(await at(`search=${base}&page=4`), 404, INVALID_PAGE);
  });

  it('encodes the links as Python’s urlencode does (space as +, only _.-~ left bare)', async () => {
    const small = makeApp({ settings: { PAGE_SIZE: '1' } });
    const base = prefix();
    await makeUsers(small, base, 2);
    const body = await page(
      await adminGet(small, root.headers, `/users/?search=${base}&x=%20!'()*~%2F&flag`),
    );
    expect(body.next).toBe(
      `http://localhost${ADMIN}/users/?flag=&page=2&search=${base}&x=+%21%27%28%29%2A~%2F`,
    );
  });

  it.each([
    ['a word', 'abc'],
    ['zero', '0'],
    ['a negative number', '-1'],
    ['a decimal', '1.5'],
    ['a page past the last', '2'],
    ['a number too large for any page', '9'.repeat(400)],
    ['last with a space', ' last'],
  ])('answers DRF’s 404 Invalid page. for %s', async (_, value) => {
    const base = prefix();
    await makeUser(app, { username: base });
    const res = await adminGet(
      app,
      root.headers,
      `/users/?search=${base}&page=${encodeURIComponent(value)}`,
    );
    await expectJson(res, 404, INVALID_PAGE);
  });

  it('reads ?page= as DRF does: empty is page 1, the last value wins, Python’s int() spellings', async () => {
    const small = makeApp({ settings: { PAGE_SIZE: '1' } });
    const base = prefix();
    const [first, second] = await makeUsers(small, base, 2);
    const idsAt = async (query: string) =>
      (
        await page(await adminGet(small, root.headers, `/users/?search=${base}&${query}`))
      ).results.map((user) => user.id);
    expect(await idsAt('page=')).toEqual([first!.id]);
    expect(await idsAt('page=2&page=1')).toEqual([first!.id]);
    expect(await idsAt('page=%2B2')).toEqual([second!.id]);
    expect(await idsAt('page=%202%20')).toEqual([second!.id]);
    expect(await idsAt('page=0_2')).toEqual([second!.id]);
  });

  it('has a first page even when nothing matches', async () => {
    const body = await page(await adminGet(app, root.headers, `/users/?search=${prefix()}`));
    expect(body).toEqual({ count: 0, next: null, previous: null, results: [] });
  });
});

describe('GET /api/admin/users/?search=', () => {
  const search = async (term: string) =>
    (
      await page(await adminGet(app, root.headers, `/users/?search=${encodeURIComponent(term)}`))
    ).results.map((user) => user.username);

  it('finds each term in the username or the email, case-insensitively; every term must match', async () => {
    const base = prefix();
    const named = await makeUser(app, { username: `${base}_Zulu`, email: 'first@example.com' });
    const mailed = await makeUser(app, {
      username: `${base}_other`,
      email: `someone@${base}-Bravo.example.org`,
    });
    expect(await search(`${base.toUpperCase()}_zULU`)).toEqual([named.username]);
    expect(await search(`${base}-bravo.EXAMPLE`)).toEqual([mailed.username]);
    expect(await search(base)).toEqual([named.username, mailed.username]);
    expect(await search(`${base} zulu`)).toEqual([named.username]);
    const plus = await adminGet(app, root.headers, `/users/?search=x&search=${base}+zulu`);
    expect((await page(plus)).results.map((user) => user.username)).toEqual([named.username]);
    expect(await search(`${base},bravo`)).toEqual([mailed.username]);
    expect(await search(`zulu, bravo ${base}`)).toEqual([]);
  });

  it('takes % and _ literally, never as LIKE wildcards', async () => {
    const base = prefix();
    const underscore = await makeUser(app, { username: `${base}a_b` });
    await makeUser(app, { username: `${base}axb` });
    expect(await search(`${base}a_b`)).toEqual([underscore.username]);
    expect(await search(`${base}%`)).toEqual([]);
    expect(await search(`${base}\\`)).toEqual([]);
  });

  it('folds case fully in usernames: STRASSE finds straße', async () => {
    const base = prefix();
    const user = await makeUser(app, { username: `straße_${base}`, email: '' });
    expect(await search(`STRASSE_${base.toUpperCase()}`)).toEqual([user.username]);
  });

  it('drops NUL characters as DRF does', async () => {
    const base = prefix();
    const user = await makeUser(app, { username: base });
    expect(await search(`${base}\0`)).toEqual([user.username]);
  });

  it('finds a whole long address (D1 refuses LIKE patterns over 50 bytes), and long junk finds nothing', async () => {
    const base = prefix();
    const email = `${'long.local.part.'.repeat(4)}${base}@a-rather-long-domain-name.example.org`;
    const user = await makeUser(app, { username: base, email });
    expect(await search(email.toUpperCase())).toEqual([user.username]);
    expect(await search(`${base} ${'a'.repeat(5000)}`)).toEqual([]);
    expect(await search(`${base} ${'%'.repeat(30_000)}`)).toEqual([]);
  });

  it('takes any number of terms (they travel as one bound parameter)', async () => {
    const base = prefix();
    const user = await makeUser(app, { username: base });
    expect(await search(Array.from({ length: 300 }, () => base).join(' '))).toEqual([
      user.username,
    ]);
  });
});

describe('GET /api/admin/users/{id}/', () => {
  it('shows one account, with its flags and last login', async () => {
    const res = await adminGet(app, root.headers, `/users/${root.id}/`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id: root.id,
      username: root.username,
      email: root.email,
      is_active: true,
      is_staff: true,
      is_superuser: true,
      last_login: expect.stringMatching(/Z$/),
    });
  });

  it.each<[string, (id: number) => string]>([
    ['an unknown id', () => '999999999'],
    ['zero', () => '0'],
    ['a negative id', (id) => `-${id}`],
    ['a word', () => 'abc'],
    ['a decimal', (id) => `${id}.0`],
    ['an exponent', (id) => `${id}e0`],
    ['a sign', (id) => `%2B${id}`],
    ['hexadecimal', (id) => `0x${id.toString(16)}`],
    ['a number past 2^53', () => '99999999999999999999'],
  ])('answers 404 Not found. for %s, and 200 for the plain id', async (_, spell) => {
    expect((await adminGet(app, root.headers, `/users/${root.id}/`)).status).toBe(200);
    await expectJson(
      await adminGet(app, root.headers, `/users/${spell(root.id)}/`),
      404,
      NOT_FOUND,
    );
  });

  it('answers PUT with 405 and the methods it allows', async () => {
    const res = await call(app, `${ADMIN}/users/${root.id}/`, {
      method: 'PUT',
      headers: root.headers,
    });
    await expectJson(res, 405, { detail: 'Method "PUT" not allowed.', code: 'method_not_allowed' });
    expect(res.headers.get('Allow')).toBe('GET, PATCH, DELETE, HEAD, OPTIONS');
  });
});

const EVERY_ROUTE: [string, string][] = [
  ['GET', '/users/'],
  ['GET', '/users/1/'],
  ['PATCH', '/users/1/'],
  ['DELETE', '/users/1/'],
  ['POST', '/users/1/revoke-credentials/'],
];

describe('who may use the admin API', () => {
  it.each(EVERY_ROUTE)(
    '%s %s refuses an anonymous request: 401 with the Bearer challenge',
    async (method, path) => {
      const res = await call(app, `${ADMIN}${path}`, { method });
      await expectJson(res, 401, NOT_PROVIDED);
      expect(res.headers.get('WWW-Authenticate')).toBe(BEARER);
    },
  );

  it.each(EVERY_ROUTE)('%s %s refuses a user who is not staff: 403', async (method, path) => {
    const user = await makeUser(app);
    const { access } = await obtainPair(app, user);
    const res = await call(app, `${ADMIN}${path}`, { method, headers: bearer(access) });
    await expectJson(res, 403, denied('You do not have permission to perform this action.'));
  });

  it.each(EVERY_ROUTE)('%s %s refuses a staff user’s scoped token: 403', async (method, path) => {
    const staff = await makeStaff(app, root);
    const created = await postJson(
      app,
      '/api/tokens/',
      { name: 'ci', scopes: ['read'] },
      staff.headers,
    );
    const { token } = (await created.json()) as { token: string };
    const res = await call(app, `${ADMIN}${path}`, { method, headers: tokenHeader(token) });
    await expectJson(res, 403, denied('A scoped token cannot manage credentials.'));
  });

  it('lets staff in with an unscoped opaque token and with a session', async () => {
    const staff = await makeStaff(app, root);
    const created = await postJson(app, '/api/tokens/', { name: 'cli' }, staff.headers);
    const { token } = (await created.json()) as { token: string };
    expect((await adminGet(app, tokenHeader(token), `/users/${staff.id}/`)).status).toBe(200);
    const { jar } = await jsonLogin(app, staff, {}, new CookieJar());
    expect((await send(app, jar, 'GET', `${ADMIN}/users/${staff.id}/`)).status).toBe(200);
  });
});

describe('storage outages', () => {
  /** The real D1, except that batches (the list's one round trip) fail. */
  function d1WithoutBatches(): D1Database {
    return new Proxy(env.DB, {
      get(object, property) {
        if (property === 'batch') {
          return async () => {
            throw new Error('D1_ERROR: Network connection lost.');
          };
        }
        const value: unknown = Reflect.get(object, property, object);
        return typeof value === 'function' ? value.bind(object) : value;
      },
    });
  }

  it('the list answers 503 when D1 fails, never an empty page', async () => {
    const broken = makeApp({ bindings: { DB: d1WithoutBatches() } });
    await expectJson(await adminGet(broken, root.headers, '/users/'), 503, UNAVAILABLE);
  });
});

/**
 * No account enumeration through the login routes: an unknown username, an
 * inactive account and a wrong password each cost exactly one password hash
 * (a burn for the unknown user), and each gets the answer a wrong password
 * gets, on every route that checks a password.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  PASSWORD,
  basic,
  countingHasher,
  makeApp,
  makeUser,
  markInactive,
  me,
  postJson,
  type TestUser,
} from './helpers';

/** The app's hasher, counting every hash, verification and timing burn. */
const counting = countingHasher();

const app = makeApp({
  settings: { DEFAULT_AUTHENTICATION_CLASSES: 'BasicAuthentication,JWTAuthentication' },
  hasher: counting,
});
let active: TestUser;
let inactive: TestUser;

beforeAll(async () => {
  active = await makeUser(app);
  inactive = await makeUser(app);
  await markInactive(inactive);
});

beforeEach(() => {
  counting.count = 0;
});

/** Each login route: how to try `username` / `password`, and its answer. */
const ROUTES: [string, (username: string, password: string) => Promise<Response>][] = [
  [
    'POST /api/token/',
    (username, password) => postJson(app, '/api/token/', { username, password }),
  ],
  [
    'POST /api-token-auth/',
    (username, password) => postJson(app, '/api-token-auth/', { username, password }),
  ],
  [
    'POST /api/auth/login/',
    (username, password) => postJson(app, '/api/auth/login/', { username, password }),
  ],
  ['Basic on GET /api/me/', (username, password) => me(app, basic(username, password))],
];

async function answer(res: Response) {
  return {
    status: res.status,
    body: await res.text(),
    challenge: res.headers.get('WWW-Authenticate'),
  };
}

describe.each(ROUTES)('%s', (_route, attempt) => {
  it('answers an unknown user, an inactive one and a wrong password alike, after one hash each', async () => {
    const wrong = await answer(await attempt(active.username, `${PASSWORD} but wrong`));
    expect(counting.count).toBe(1);
    expect(wrong.status).toBeGreaterThanOrEqual(400);

    counting.count = 0;
    expect(await answer(await attempt('nobody-by-this-name', PASSWORD))).toEqual(wrong);
    expect(counting.count).toBe(1);

    counting.count = 0;
    expect(await answer(await attempt(inactive.username, PASSWORD))).toEqual(wrong);
    expect(counting.count).toBe(1);
  });
});

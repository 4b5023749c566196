/**
 * An over-long password (over `PASSWORD_MAX_LENGTH`) gets one answer on every
 * route that takes a password (issue 10, finding 8; shared/API.md deliberate
 * difference 15): DRF's 400 field error under the name of the field that was
 * too long, before any lookup or hashing. The HTML login form re-renders with
 * that error (400). Basic authentication has no body to attach a field error
 * to, so it answers DRF's 401 `Invalid username/password.`, also unhashed.
 * The limit counts characters (code points), as Python's `len` does.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  PASSWORD,
  basic,
  call,
  countingHasher,
  makeApp,
  makeUser,
  me,
  postJson,
  uniqueName,
  type TestUser,
} from './helpers';

const MAX = 64;
const TOO_LONG = `Ensure this field has no more than ${MAX} characters.`;
const CSRF = 'c'.repeat(64);

/** The app's hasher, counting every hash, verification and timing burn. */
const counting = countingHasher();

const app = makeApp({
  settings: {
    PASSWORD_MAX_LENGTH: String(MAX),
    DEFAULT_AUTHENTICATION_CLASSES: 'BasicAuthentication,JWTAuthentication,SessionAuthentication',
  },
  hasher: counting,
});
let user: TestUser;

beforeAll(async () => {
  user = await makeUser(app);
});

beforeEach(() => {
  counting.count = 0;
});

const long = 'x'.repeat(MAX + 1);
/** MAX + 1 characters that are 2 UTF-16 code units each. */
const longAstral = '🔑'.repeat(MAX + 1);

function form(fields: Record<string, string>): RequestInit {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  };
}

type Send = () => Promise<Response>;

const credentials = (password: string) => ({ username: user.username, password });
const registration = (fields: Record<string, string>) => ({ username: uniqueName(), ...fields });

const FIELD_ERRORS: [route: string, send: Send, errors: Record<string, string[]>][] = [
  [
    'JWT obtain (JSON)',
    () => postJson(app, '/api/token/', credentials(long)),
    { password: [TOO_LONG] },
  ],
  [
    'JWT obtain (form)',
    () => call(app, '/api/token/', form(credentials(long))),
    { password: [TOO_LONG] },
  ],
  [
    'JWT obtain (astral characters)',
    () => postJson(app, '/api/token/', credentials(longAstral)),
    { password: [TOO_LONG] },
  ],
  [
    '/api-token-auth/',
    () => postJson(app, '/api-token-auth/', credentials(long)),
    { password: [TOO_LONG] },
  ],
  [
    'JSON session login',
    () => postJson(app, '/api/auth/login/', credentials(long)),
    { password: [TOO_LONG] },
  ],
  [
    'JWT obtain without a username',
    () => postJson(app, '/api/token/', { password: long }),
    { username: ['This field is required.'], password: [TOO_LONG] },
  ],
  [
    'register (password)',
    () => postJson(app, '/api/auth/register/', registration({ password: long })),
    { password: [TOO_LONG] },
  ],
  [
    'register (password1)',
    () =>
      postJson(app, '/api/auth/register/', registration({ password1: long, password2: PASSWORD })),
    { password1: [TOO_LONG] },
  ],
  [
    'register (password2)',
    () =>
      postJson(app, '/api/auth/register/', registration({ password1: PASSWORD, password2: long })),
    { password2: [TOO_LONG] },
  ],
  [
    'register (password1 and password2)',
    () => postJson(app, '/api/auth/register/', registration({ password1: long, password2: long })),
    { password1: [TOO_LONG], password2: [TOO_LONG] },
  ],
];

describe('a password over PASSWORD_MAX_LENGTH', () => {
  it.each(FIELD_ERRORS)(
    'answers %s with DRF’s 400 field error, unhashed',
    async (_route, send, errors) => {
      const res = await send();
      expect(res.status).toBe(400);
      expect(res.headers.get('WWW-Authenticate')).toBeNull();
      expect(await res.json()).toEqual(errors);
      expect(counting.count).toBe(0);
    },
  );

  it('re-renders the HTML login form with the error next to the password, 400, unhashed', async () => {
    const res = await call(app, '/api-auth/login/', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Cookie: `csrftoken=${CSRF}`,
      },
      body: new URLSearchParams({ csrfmiddlewaretoken: CSRF, ...credentials(long) }).toString(),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('Content-Type')).toBe('text/html; charset=UTF-8');
    expect(res.headers.get('Set-Cookie') ?? '').not.toMatch(/sessionid=/);
    const html = await res.text();
    expect(html).toContain(`<p class="error" id="password-error" role="alert">${TOO_LONG}</p>`);
    expect(html).toMatch(
      /<input type="password" name="password"[^>]*aria-describedby="password-error"/,
    );
    expect(html).toContain(`value="${user.username}"`);
    expect(html).not.toContain('Please enter a correct username and password');
    expect(counting.count).toBe(0);
  });

  it('answers Basic authentication with DRF’s 401 Invalid username/password., unhashed', async () => {
    const res = await me(app, basic(user.username, long));
    expect(res.status).toBe(401);
    expect(res.headers.get('WWW-Authenticate')).toBe('Basic realm="api"');
    expect(await res.json()).toEqual({
      detail: 'Invalid username/password.',
      code: 'authentication_failed',
    });
    expect(counting.count).toBe(0);
  });
});

describe('a password of exactly PASSWORD_MAX_LENGTH characters', () => {
  it.each([
    ['x', 'x'.repeat(MAX)],
    ['astral', '🔑'.repeat(MAX)],
  ])(
    'is checked like any other (%s): a wrong one is a failed login after one hash',
    async (_c, password) => {
      const res = await postJson(app, '/api/token/', credentials(password));
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        detail: 'No active account found with the given credentials',
        code: 'no_active_account',
      });
      expect(counting.count).toBe(1);
    },
  );
});

/**
 * The statuses the OpenAPI document lists, held to what the routes really
 * answer, for the cases its generator once got wrong: an answer it did not
 * list (the CSRF check's form parse error on routes without a body of their
 * own, cookie mode's CSRF refusals on the JWT routes), and one it listed that
 * cannot happen (a 401 behind `SessionAuthentication`, which has no
 * challenge). The fuzz test holds every answer to the document the same way
 * (test/fuzz/documented.ts).
 */
import { describe, expect, it } from 'vitest';
import { csrf, jsonLogin, send } from './helpers/browser';
import { type App, body, call, makeApp, makeUser, postJson } from './helpers';

async function responsesOf(app: App, path: string, method: string): Promise<string[]> {
  const doc = (await (await call(app, '/api/schema/')).json()) as {
    paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  };
  return Object.keys(doc.paths[path]![method]!.responses);
}

const BROKEN_FORM = { 'Content-Type': 'multipart/form-data; boundary=' };

describe('the statuses the document lists', () => {
  it('include the 400 of a form the CSRF check cannot read, on a session route with no body of its own', async () => {
    const app = makeApp();
    const browser = await jsonLogin(app, await makeUser(app));
    expect(await responsesOf(app, '/api/auth/logout/', 'post')).toEqual(
      expect.arrayContaining(['200', '400', '403', '413', '503']),
    );
    const res = await send(app, browser.jar, 'POST', '/api/auth/logout/', {
      headers: BROKEN_FORM,
      body: 'x',
    });
    expect(res.status).toBe(400);
    expect(await body(res)).toEqual({
      detail: 'Multipart form parse error - Invalid boundary in multipart.',
      code: 'parse_error',
    });
    // With the token in the header, the form is not read.
    const ok = await send(app, browser.jar, 'POST', '/api/auth/logout/', {
      headers: { ...csrf(browser.jar), ...BROKEN_FORM },
      body: 'x',
    });
    expect(ok.status).toBe(200);
  });

  it('leave out that 400 on a route no cookie reaches', async () => {
    const app = makeApp();
    expect(await responsesOf(app, '/api/token/logout/', 'post')).not.toContain('400');
  });

  it('include cookie mode’s CSRF refusal on JWT obtain, refresh and blacklist', async () => {
    const app = makeApp({
      settings: { JWT_AUTH_COOKIE: 'access', JWT_AUTH_REFRESH_COOKIE: 'refresh' },
    });
    for (const path of ['/api/token/', '/api/token/refresh/', '/api/token/blacklist/']) {
      expect(await responsesOf(app, path, 'post')).toContain('403');
    }
    const user = await makeUser(app);
    const credentials = { username: user.username, password: user.password };
    const res = await postJson(app, '/api/token/', credentials, {
      Origin: 'https://evil.example',
      'Sec-Fetch-Site': 'cross-site',
    });
    expect(res.status).toBe(403);
    expect(await body(res)).toMatchObject({ code: 'permission_denied' });
    // Without cookie mode the route neither refuses so nor lists it.
    expect(await responsesOf(makeApp(), '/api/token/', 'post')).not.toContain('403');
  });
});

describe('the 401s of the document', () => {
  it('are listed where the first authentication class has a challenge, and the route answers 401', async () => {
    const app = makeApp();
    expect(await responsesOf(app, '/api/me/', 'get')).toContain('401');
    const res = await call(app, '/api/me/');
    expect(res.status).toBe(401);
    expect(res.headers.get('WWW-Authenticate')).toBe('Bearer realm="api"');
  });

  it('are not listed behind SessionAuthentication first, where a refusal is a 403', async () => {
    const app = makeApp({
      settings: { DEFAULT_AUTHENTICATION_CLASSES: 'SessionAuthentication,JWTAuthentication' },
    });
    const me = await responsesOf(app, '/api/me/', 'get');
    expect(me).not.toContain('401');
    expect(me).toContain('403');
    const res = await call(app, '/api/me/');
    expect(res.status).toBe(403);
    expect(res.headers.get('WWW-Authenticate')).toBeNull();
    expect(await body(res)).toEqual({
      detail: 'Authentication credentials were not provided.',
      code: 'not_authenticated',
    });
    // The JSON session logout takes only SessionAuthentication, whatever the default.
    expect(await responsesOf(makeApp(), '/api/auth/logout/', 'post')).not.toContain('401');
  });
});

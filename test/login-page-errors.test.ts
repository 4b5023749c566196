/**
 * Errors on the browsable-API pages are pages, not JSON: a method the page
 * lacks, a body it cannot read, storage it cannot reach, and a login whose
 * last write fails (on the HTML form and on the JSON login alike).
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { StorageUnavailableError } from '../src/errors';
import { cloudflareStores } from '../src/storage/cloudflare';
import type { Bindings } from '../src/env';
import { call, makeApp, makeUser, unreachableKV, type App } from './helpers';
import { setCookies } from './helpers/browser';
import { HTML, NEVER_CACHE, openForm, submitLogin } from './helpers/pages';

const app = makeApp();

describe('errors on the HTML pages', () => {
  it.each([
    ['a method the page lacks', '/api-auth/login/', 'PUT', 405, 'Method "PUT" not allowed.'],
    ['a method the page lacks', '/api-auth/logout/', 'DELETE', 405, 'Method "DELETE" not allowed.'],
  ])(
    'answers %s on %s as an HTML page with the status and Allow',
    async (_c, path, method, status, detail) => {
      const res = await call(app, path, { method });
      expect(res.status).toBe(status);
      expect(res.headers.get('Content-Type')).toBe(HTML);
      expect(res.headers.get('Allow')).toBe('GET, POST, HEAD, OPTIONS');
      expect(res.headers.get('Cache-Control')).toBe(NEVER_CACHE);
      const page = await res.text();
      expect(page).toContain(`<h1>Method Not Allowed (405)</h1>`);
      expect(page).toContain(detail.replaceAll('"', '&quot;'));
    },
  );

  it('answers a body it cannot read as an HTML 415 page', async () => {
    const { jar } = await openForm(app);
    const res = await call(app, '/api-auth/login/', {
      method: 'POST',
      headers: {
        Cookie: jar.header(),
        'X-CSRFToken': jar.get('csrftoken')!,
        'Content-Type': 'text/plain',
      },
      body: 'username=alice',
    });
    expect(res.status).toBe(415);
    expect(res.headers.get('Content-Type')).toBe(HTML);
    expect(await res.text()).toContain('<h1>Unsupported Media Type (415)</h1>');
  });

  it('answers the logout page with an HTML 503 when KV is unreachable, never as logged out', async () => {
    const down = makeApp({ bindings: { KV: unreachableKV() } });
    const res = await call(down, '/api-auth/logout/', {
      headers: { Cookie: 'sessionid=1.abcdefghijklmnopqrstuvwxyz012345' },
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('Content-Type')).toBe(HTML);
    expect(res.headers.get('Retry-After')).toBe('5');
    expect(await res.text()).toContain('<h1>Service Unavailable (503)</h1>');
  });
});

describe('client errors on the login pages are pages, not JSON', () => {
  const BOUNDARY = 'b0undary';
  const cases: [string, string, number, string, string | Uint8Array, string][] = [
    [
      'a multipart form without its closing boundary',
      '/api-auth/login/',
      400,
      `multipart/form-data; boundary=${BOUNDARY}`,
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="username"\r\n\r\nx\r\n`,
      'Multipart form parse error - Invalid boundary in multipart.',
    ],
    [
      'a JSON list',
      '/api-auth/logout/',
      400,
      'application/json',
      '[1]',
      'Invalid data. Expected a dictionary, but got list.',
    ],
    [
      'a body over DATA_UPLOAD_MAX_MEMORY_SIZE',
      '/api-auth/login/',
      413,
      'application/x-www-form-urlencoded',
      `password=${'p'.repeat(70_000)}`,
      'Request body exceeded 65536 bytes.',
    ],
    [
      'a body of an unsupported type',
      '/api-auth/logout/',
      415,
      'text/plain',
      'username=x',
      'Unsupported media type &quot;text/plain&quot; in request.',
    ],
  ];

  it.each(cases)(
    'answers %s on %s with an HTML page of its status',
    async (_, path, status, type, body, text) => {
      const { jar } = await openForm(app);
      const res = await call(app, path, {
        method: 'POST',
        headers: { 'Content-Type': type, ...jar.headers(), 'X-CSRFToken': jar.get('csrftoken')! },
        body,
      });
      expect(res.status).toBe(status);
      expect(res.headers.get('Content-Type')).toBe(HTML);
      expect(res.headers.get('Cache-Control')).toBe(NEVER_CACHE);
      expect(res.headers.get('Content-Security-Policy')).toContain("default-src 'none'");
      const html = await res.text();
      expect(html).toContain(`<h1>`);
      expect(html).toContain(`(${status})</h1>`);
      expect(html).toContain(`<p>${text}</p>`);
    },
  );
});

describe('a login whose last write fails', () => {
  /** Real stores, except that recording the login fails as D1 would. */
  function failingRecordLogin(): App {
    const stores = cloudflareStores(env as unknown as Bindings);
    const users = new Proxy(stores.users, {
      get(target, name) {
        if (name === 'recordLogin') {
          return async () => {
            throw new StorageUnavailableError('d1', new Error('write failed'));
          };
        }
        const value = Reflect.get(target, name) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    return makeApp({ stores: { ...stores, users } });
  }

  it('answers 503 on the HTML form and sets no session cookie', async () => {
    const down = failingRecordLogin();
    const user = await makeUser(app);
    const { res } = await submitLogin(down, user);
    expect(res.status).toBe(503);
    expect(res.headers.get('Content-Type')).toBe(HTML);
    expect(Object.keys(setCookies(res))).not.toContain('sessionid');
  });

  it('answers 503 on POST /api/auth/login/ and sets no session cookie', async () => {
    const down = failingRecordLogin();
    const user = await makeUser(app);
    const res = await call(down, '/api/auth/login/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: user.username, password: user.password }),
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 'service_unavailable' });
    expect(Object.keys(setCookies(res))).not.toContain('sessionid');
  });
});

import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
  PASSWORD,
  basic,
  body,
  call,
  makeApp,
  makeUser,
  me,
  postJson,
  uniqueName,
} from './helpers';

const app = makeApp({
  settings: {
    DEFAULT_AUTHENTICATION_CLASSES: 'BasicAuthentication',
    DATA_UPLOAD_MAX_MEMORY_SIZE: 2048,
  },
});
const REGISTER = '/api/auth/register/';

function expectSecurityHeaders(res: Response) {
  expect(res.headers.get('X-Frame-Options')).toBe('DENY');
  expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
  expect(res.headers.get('Referrer-Policy')).toBe('same-origin');
  expect(res.headers.get('Cache-Control')).toBe('no-store');
}

describe('every response', () => {
  it('carries the security headers on success, client errors and unknown routes', async () => {
    const user = await makeUser(app);
    const responses = await Promise.all([
      me(app, basic(user.username, PASSWORD)),
      me(app),
      call(app, '/api/health/', { method: 'DELETE' }),
      call(app, '/no/such/route/'),
    ]);
    expect(responses.map((res) => res.status)).toEqual([200, 401, 405, 404]);
    responses.forEach(expectSecurityHeaders);
  });

  it('answers JSON as application/json', async () => {
    const res = await call(app, '/api/health/');
    expect(res.headers.get('Content-Type')).toBe('application/json');
  });
});

describe('routing', () => {
  it('answers an unknown route with a 404 in the DRF shape', async () => {
    const res = await call(app, '/api/nothing-here/');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: 'Not found.', code: 'not_found' });
  });

  it('serves a path without its trailing slash instead of redirecting (POST bodies survive)', async () => {
    const username = uniqueName();
    const res = await postJson(app, '/api/auth/register', { username, password: PASSWORD });
    expect(res.status).toBe(201);
    expect(await body(res)).toMatchObject({ username });
  });

  it('answers a wrong method with 405, DRF text and Allow', async () => {
    const res = await call(app, REGISTER, { method: 'GET' });
    expect(res.status).toBe(405);
    expect(res.headers.get('Allow')).toBe('POST, OPTIONS');
    expect(await res.json()).toEqual({
      detail: 'Method "GET" not allowed.',
      code: 'method_not_allowed',
    });
  });

  it('answers HEAD like GET without a body', async () => {
    const res = await call(app, '/api/health/', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  it('answers OPTIONS with the view metadata and Allow', async () => {
    const res = await call(app, REGISTER, { method: 'OPTIONS' });
    expect(res.status).toBe(200);
    expect(res.headers.get('Allow')).toBe('POST, OPTIONS');
    expect(await res.json()).toMatchObject({
      name: 'Register',
      renders: ['application/json'],
      parses: ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'],
    });
  });
});

describe('request bodies', () => {
  it('reads URL-encoded forms', async () => {
    const username = uniqueName();
    const res = await call(app, REGISTER, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username, password1: PASSWORD, password2: PASSWORD }),
    });
    expect(res.status).toBe(201);
  });

  it('reads multipart forms', async () => {
    const form = new FormData();
    const username = uniqueName();
    form.set('username', username);
    form.set('password', PASSWORD);
    const res = await call(app, REGISTER, { method: 'POST', body: form });
    expect(res.status).toBe(201);
  });

  it('rejects a file where a string belongs', async () => {
    const form = new FormData();
    form.set('username', new File(['x'], 'name.txt'));
    form.set('password', PASSWORD);
    const res = await call(app, REGISTER, { method: 'POST', body: form });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ username: ['Not a valid string.'] });
  });

  it('answers malformed JSON with 400 parse_error and the parser reason', async () => {
    const res = await call(app, REGISTER, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{',
    });
    expect(res.status).toBe(400);
    const answer = await body(res);
    expect(answer.code).toBe('parse_error');
    expect(answer.detail).toMatch(/^JSON parse error - .+/);
  });

  it.each([
    ['a form body sent as JSON', 'password=Zq8RkV2mXw4NpL7t'],
    ['an unquoted value', '{"password": Zq8RkV2mXw4NpL7t}'],
    ['a bare word', 'Zq8RkV2mXw4NpL7t'],
  ])('never quotes the body in a JSON parse error (%s)', async (_case, text) => {
    const res = await call(app, '/api/token/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: text,
    });
    expect(res.status).toBe(400);
    const answer = await body(res);
    expect(answer).toEqual({ detail: 'JSON parse error - Unexpected token', code: 'parse_error' });
    expect(JSON.stringify(answer)).not.toMatch(/Zq8R|password/);
  });

  it('keeps the position in a JSON parse error that quotes nothing', async () => {
    const res = await call(app, '/api/token/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"password": "Zq8RkV2mXw4NpL7t" x}',
    });
    const answer = await body(res);
    expect(answer.code).toBe('parse_error');
    expect(answer.detail).toMatch(
      /^JSON parse error - Expected ',' or '}' after property value in JSON at position 32\b/,
    );
  });

  it('answers JSON that is not UTF-8 with a parse error', async () => {
    const res = await call(app, REGISTER, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x7d]),
    });
    expect(res.status).toBe(400);
    expect(await body(res)).toMatchObject({ code: 'parse_error' });
  });

  it.each([
    ['[1, 2]', 'Invalid data. Expected a dictionary, but got list.'],
    ['"text"', 'Invalid data. Expected a dictionary, but got str.'],
    ['42', 'Invalid data. Expected a dictionary, but got int.'],
    ['null', 'No data provided'],
  ])('answers the JSON %s with DRF non_field_errors', async (json, message) => {
    const res = await call(app, REGISTER, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: json,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ non_field_errors: [message] });
  });

  it('answers an unsupported media type with 415', async () => {
    const res = await call(app, REGISTER, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: 'username=alice',
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({
      detail: 'Unsupported media type "text/plain" in request.',
      code: 'unsupported_media_type',
    });
  });

  it('refuses a body whose declared length is over the limit, before reading it', async () => {
    const res = await call(app, REGISTER, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': '999999' },
      body: '{}',
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      detail: 'Request body exceeded 2048 bytes.',
      code: 'request_too_large',
    });
  });

  it('refuses a streamed body that grows over the limit', async () => {
    const chunk = new TextEncoder().encode(' '.repeat(1000));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 5) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await call(app, REGISTER, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
  });

  it('treats an empty body as no fields', async () => {
    const res = await call(app, REGISTER, { method: 'POST' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      username: ['This field is required.'],
      password1: ['This field is required.'],
      password2: ['This field is required.'],
    });
  });
});

describe('CONNECT', () => {
  // The README says CONNECT never reaches edgeauth; this pins the runtime half of that
  // claim, so a workerd that one day hands CONNECT to fetch() fails here first.
  it('cannot reach the fetch handler: workerd refuses to build a CONNECT request', async () => {
    expect(() => new Request('http://localhost/api/health/', { method: 'CONNECT' })).toThrow(
      TypeError,
    );
    await expect(
      (async () => app.request('/api/health/', { method: 'CONNECT' }, env))(),
    ).rejects.toThrow(TypeError);
  });

  it.each(['TRACE', 'PROPFIND'])('while %s on a route answers DRF’s 405', async (method) => {
    const res = await call(app, '/api/health/', { method });
    expect(res.status).toBe(405);
    expect(await res.json()).toEqual({
      detail: `Method "${method}" not allowed.`,
      code: 'method_not_allowed',
    });
  });
});

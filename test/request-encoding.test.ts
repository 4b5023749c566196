/**
 * Request bodies are strict UTF-8 (issue 10, finding 5): URL-encoded forms
 * (the raw body and every percent-decoded name and value), multipart field
 * names and values, and JSON (which must also carry no byte order mark, as
 * Python's `json` requires). Anything else is a 400
 * `{"detail": "<parser> parse error - <Python's codec text>", "code": "parse_error"}`
 * on every route that reads a body, never text with U+FFFD or Latin-1 in it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, bearer, body, call, makeApp, makeUser, obtainPair, uniqueName } from './helpers';

const app = makeApp();
const encoder = new TextEncoder();
const CSRF = 'c'.repeat(64);
const BOUNDARY = 'edgeauth-boundary';
const MULTIPART = `multipart/form-data; boundary=${BOUNDARY}`;
const FORM = 'application/x-www-form-urlencoded';

let access: string;

beforeAll(async () => {
  ({ access } = await obtainPair(app, await makeUser(app)));
});

const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(
    parts.flatMap((part) => (typeof part === 'string' ? [...encoder.encode(part)] : part)),
  );

/** A multipart body with one field part per entry: `[name bytes, value bytes]`. */
function multipart(...fields: [name: (string | number[])[], value: (string | number[])[]][]) {
  const parts = fields.flatMap(([name, value]) => [
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="`,
    ...name,
    '"\r\n\r\n',
    ...value,
    '\r\n',
  ]);
  return bytes(...parts, `--${BOUNDARY}--\r\n`);
}

interface Route {
  name: string;
  method: string;
  path: string;
  headers?: () => Record<string, string>;
  /** A page for a browser: the same error as an HTML page. */
  html?: boolean;
}

/** Every route that reads a request body. */
const ROUTES: Route[] = [
  { name: 'register', method: 'POST', path: '/api/auth/register/' },
  { name: 'JWT obtain', method: 'POST', path: '/api/token/' },
  { name: 'JWT refresh', method: 'POST', path: '/api/token/refresh/' },
  { name: 'JWT verify', method: 'POST', path: '/api/token/verify/' },
  { name: 'JWT blacklist', method: 'POST', path: '/api/token/blacklist/' },
  { name: 'obtain_auth_token', method: 'POST', path: '/api-token-auth/' },
  { name: 'JSON session login', method: 'POST', path: '/api/auth/login/' },
  {
    name: 'HTML login form',
    method: 'POST',
    path: '/api-auth/login/',
    headers: () => ({ Cookie: `csrftoken=${CSRF}`, 'X-CSRFToken': CSRF }),
    html: true,
  },
  {
    name: 'HTML logout form',
    method: 'POST',
    path: '/api-auth/logout/',
    headers: () => ({ Cookie: `csrftoken=${CSRF}`, 'X-CSRFToken': CSRF }),
    html: true,
  },
  {
    name: 'create a named token',
    method: 'POST',
    path: '/api/tokens/',
    headers: () => bearer(access),
  },
  { name: 'PATCH /api/me/', method: 'PATCH', path: '/api/me/', headers: () => bearer(access) },
];

const BAD_BODIES: [name: string, type: string, body: Uint8Array, detail: string][] = [
  [
    'a form value percent-encoding 0xff 0xfe',
    FORM,
    bytes('username=%ff%fe&password=x'),
    "Form parse error - 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte",
  ],
  [
    'a form name percent-encoding a truncated sequence',
    FORM,
    bytes('%c3=x'),
    "Form parse error - 'utf-8' codec can't decode byte 0xc3 in position 0: unexpected end of data",
  ],
  [
    'a form body with raw Latin-1 bytes',
    FORM,
    bytes('username=', [0xe9], 't', [0xe9]),
    "Form parse error - 'utf-8' codec can't decode byte 0xe9 in position 9: invalid continuation byte",
  ],
  [
    'a multipart field value that is not UTF-8',
    MULTIPART,
    multipart([['username'], [[0xff, 0xfe]]]),
    "Multipart form parse error - 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte",
  ],
  [
    'a multipart field name that is not UTF-8',
    MULTIPART,
    multipart([[[0xe9], 't'], ['x']]),
    "Multipart form parse error - 'utf-8' codec can't decode byte 0xe9 in position 38: invalid continuation byte",
  ],
  [
    'JSON that is not UTF-8',
    'application/json',
    bytes('{"', [0xff], '": 1}'),
    "JSON parse error - 'utf-8' codec can't decode byte 0xff in position 2: invalid start byte",
  ],
  [
    'JSON after a UTF-8 byte order mark',
    'application/json',
    bytes([0xef, 0xbb, 0xbf], '{"username": "x"}'),
    'JSON parse error - Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)',
  ],
];

describe('a body that is not strict UTF-8', () => {
  it.each(BAD_BODIES)(
    'answers %s with 400 parse_error on every route (as a page on the HTML ones)',
    async (_c, type, sent, detail) => {
      for (const route of ROUTES) {
        const res = await call(app, route.path, {
          method: route.method,
          headers: { 'Content-Type': type, ...route.headers?.() },
          body: sent,
        });
        expect(res.status, route.name).toBe(400);
        if (route.html) {
          expect(res.headers.get('Content-Type'), route.name).toMatch(/^text\/html/);
          const page = await res.text();
          expect(page, route.name).toContain('<h1>Bad Request (400)</h1>');
          expect(page, route.name).toContain(detail.replaceAll("'", '&#x27;'));
        } else {
          expect(await res.json(), route.name).toEqual({ detail, code: 'parse_error' });
        }
      }
    },
  );
});

async function register(type: string, sent: BodyInit) {
  const res = await call(app, '/api/auth/register/', {
    method: 'POST',
    headers: type ? { 'Content-Type': type } : {},
    body: sent,
  });
  return { status: res.status, body: await body(res) };
}

describe('UTF-8 forms', () => {
  it('reads raw and percent-encoded UTF-8, "+" as a space, "%2B" as a plus, and stray "%" as is', async () => {
    const raw = `zoë_${uniqueName()}`;
    const encoded = `ñandú_${uniqueName()}`;
    const first = await register(
      FORM,
      bytes(`username=${raw}&email=a%2Btag%40example.com&password=${PASSWORD.replace(/ /g, '+')}`),
    );
    expect(first).toEqual({
      status: 201,
      body: {
        id: expect.any(Number),
        username: raw,
        email: 'a+tag@example.com',
        email_verified: false,
      },
    });
    const second = await register(
      FORM,
      bytes(`username=${encodeURIComponent(encoded)}&password=100%25%zz+sure!`),
    );
    expect(second).toMatchObject({ status: 201, body: { username: encoded } });
    const login = await call(app, '/api/token/', {
      method: 'POST',
      headers: { 'Content-Type': FORM },
      body: bytes(`username=${encodeURIComponent(encoded)}&password=100%25%25zz%20sure!`),
    });
    expect(login.status).toBe(200);
  });

  it('reads UTF-8 multipart names and values, ignoring preamble, epilogue and unnamed parts', async () => {
    const username = `ñandú_${uniqueName()}`;
    const sent = bytes(
      'a preamble\r\n',
      `--${BOUNDARY}  \r\n`,
      'Content-Disposition: form-data\r\n\r\nno name: skipped\r\n',
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="username"\r\n\r\n${username}\r\n`,
      `--${BOUNDARY}\r\ncontent-disposition: form-data; name="password"\r\n`,
      `Content-Type: text/plain; charset=utf-8\r\n\r\n${PASSWORD}\r\n`,
      `--${BOUNDARY}--\r\nan epilogue`,
    );
    const result = await register(`multipart/form-data; boundary="${BOUNDARY}"`, sent);
    expect(result).toMatchObject({ status: 201, body: { username } });
  });

  it('still reads what FormData sends, UTF-8 included', async () => {
    const form = new FormData();
    const username = `zoë_${uniqueName()}`;
    form.set('username', username);
    form.set('password', PASSWORD);
    expect(await register('', form)).toMatchObject({ status: 201, body: { username } });
  });

  it.each([
    ['has no boundary parameter', 'multipart/form-data', multipart([['username'], ['x']])],
    [
      'never closes',
      MULTIPART,
      bytes(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n\r\nx`),
    ],
    ['lacks its boundary', MULTIPART, bytes('username=x')],
  ])('answers a multipart body that %s with 400 parse_error', async (_case, type, sent) => {
    expect(await register(type, sent)).toEqual({
      status: 400,
      body: {
        detail: 'Multipart form parse error - Invalid boundary in multipart.',
        code: 'parse_error',
      },
    });
  });

  it('answers a multipart part whose headers never end with 400 parse_error', async () => {
    const sent = bytes(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n--${BOUNDARY}--\r\n`,
    );
    expect(await register(MULTIPART, sent)).toEqual({
      status: 400,
      body: {
        detail: 'Multipart form parse error - Part headers are not terminated.',
        code: 'parse_error',
      },
    });
  });
});

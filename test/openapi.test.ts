/**
 * The OpenAPI document at `GET <ROUTE_PREFIX_SCHEMA>/`: it lists exactly the
 * routes and methods Hono registered, follows the prefix and name settings,
 * describes the credentials as the authentication classes take them, says
 * 401 only where a refusal is one, and agrees with the README's route table.
 * (The document is also checked by a real OpenAPI validator in Node, in the
 * end-to-end test: e2e/schema.ts.)
 */
import { describe, expect, it } from 'vitest';
import pkg from '../package.json';
import readme from '../README.md?raw';
import { EDGEAUTH_VERSION } from '../src/version';
import { type App, call, makeApp } from './helpers';

type Operation = {
  operationId: string;
  security: Record<string, string[]>[];
  responses: Record<string, unknown>;
};
type Document = {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, Record<string, unknown>> };
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

async function documentOf(app: App, path = '/api/schema/'): Promise<Document> {
  const res = await call(app, path);
  expect(res.status).toBe(200);
  expect(res.headers.get('Content-Type')).toBe('application/json; charset=utf-8');
  return (await res.json()) as Document;
}

/** Every `METHOD path` of the document. */
function operationsOf(doc: Document): string[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** The document's path as Hono registers it: `:id` for `{id}`, no trailing slash. */
function honoPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1').replace(/(.)\/$/, '$1');
}

/** Hono's routes less the middleware (`app.use`: every method, on every path). */
function registered(app: App): { method: string; path: string }[] {
  return app.routes.filter((route) => !(route.method === 'ALL' && /^\/?\*$/.test(route.path)));
}

describe('the OpenAPI document', () => {
  const app = makeApp();

  it('is OpenAPI 3.1 with the package version', async () => {
    const doc = await documentOf(app);
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe(pkg.version);
  });

  it('lists every route and method Hono registered, and nothing else', async () => {
    const doc = await documentOf(app);
    const byHonoPath = new Map(Object.keys(doc.paths).map((path) => [honoPath(path), path]));
    const missing: string[] = [];
    for (const { method, path } of registered(app)) {
      const item = doc.paths[byHonoPath.get(path) ?? ''];
      // The `ALL` route of each path answers 405 and OPTIONS: its path must be there.
      const listed = method === 'ALL' ? item !== undefined : item?.[method.toLowerCase()];
      if (!listed) missing.push(`${method} ${path}`);
    }
    expect(missing).toEqual([]);
    const routes = new Set(registered(app).map(({ method, path }) => `${method} ${path}`));
    const unregistered = operationsOf(doc).filter((op) => {
      const [method, path] = op.split(' ') as [string, string];
      return !routes.has(`${method} ${honoPath(path)}`) || !routes.has(`ALL ${honoPath(path)}`);
    });
    expect(unregistered).toEqual([]);
  });

  it('gives every operation its own operationId, /api-auth/login/ and /api/auth/login/ included', async () => {
    const doc = await documentOf(app);
    const ids = Object.values(doc.paths).flatMap((item) =>
      Object.values(item).map((op) => op.operationId),
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.paths['/api-auth/login/']!.post!.operationId).toBe('post_apiauth_login');
    expect(doc.paths['/api/auth/login/']!.post!.operationId).toBe('post_api_auth_login');
  });

  it('describes the login form with the CSRF token field the form must carry', async () => {
    const doc = (await (await call(app, '/api/schema/')).json()) as {
      paths: Record<string, Record<string, { requestBody: { content: Record<string, unknown> } }>>;
    };
    for (const path of ['/api-auth/login/', '/api-auth/logout/']) {
      const content = doc.paths[path]!.post!.requestBody.content;
      expect(Object.keys(content)).toEqual([
        'application/x-www-form-urlencoded',
        'multipart/form-data',
      ]);
      expect(content['application/x-www-form-urlencoded']).toMatchObject({
        schema: { properties: { csrfmiddlewaretoken: { type: 'string' } } },
      });
    }
  });

  it('moves its paths with the ROUTE_PREFIX_* settings, its own included', async () => {
    const moved = makeApp({
      settings: { ROUTE_PREFIX_JWT: '/auth/jwt', ROUTE_PREFIX_SCHEMA: '/docs/api' },
    });
    expect((await call(moved, '/api/schema/')).status).toBe(404);
    const doc = await documentOf(moved, '/docs/api/');
    const paths = Object.keys(doc.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/auth/jwt/',
        '/auth/jwt/refresh/',
        '/docs/api/',
        '/docs/api/docs/',
        '/docs/api/docs/docs.js',
      ]),
    );
    expect(paths.filter((path) => /^\/api\/(token|schema)\//.test(path))).toEqual([]);
    const ops = operationsOf(doc);
    expect(new Set(registered(moved).map((r) => r.path))).toEqual(
      new Set(ops.map((op) => honoPath(op.split(' ')[1]!))),
    );
  });
});

describe('the security schemes of the document', () => {
  it('describe a Bearer JWT, Token in Authorization, and the session cookie with its CSRF header', async () => {
    const doc = await documentOf(makeApp());
    expect(doc.components.securitySchemes).toMatchObject({
      jwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      token: {
        type: 'apiKey',
        in: 'header',
        name: 'Authorization',
        description: 'An opaque token: `Token <key>`',
      },
      session: { type: 'apiKey', in: 'cookie', name: 'sessionid' },
      csrf: { type: 'apiKey', in: 'header', name: 'X-CSRFToken' },
    });
    const me = doc.paths['/api/me/']!;
    expect(me.get!.security).toEqual([{ jwt: [] }, { token: [] }, { session: [] }]);
    // An unsafe method sent with the session cookie needs the CSRF header too.
    expect(me.patch!.security).toEqual([{ jwt: [] }, { token: [] }, { session: [], csrf: [] }]);
    // Anyone may register: the empty requirement says so.
    expect(doc.paths['/api/auth/register/']!.post!.security).toContainEqual({});
    expect(doc.paths['/api/token/']!.post!.security).toEqual([{}]);
  });

  it('name the cookie, header and keywords the settings choose', async () => {
    const settings = {
      SESSION_COOKIE_NAME: '__Host-sid',
      CSRF_HEADER_NAME: 'X-XSRF-Token',
      TOKEN_AUTH_KEYWORD: 'Knox',
      AUTH_HEADER_TYPES: 'JWT',
    };
    const doc = await documentOf(makeApp({ settings }));
    expect(doc.components.securitySchemes).toMatchObject({
      jwt: {
        type: 'apiKey',
        in: 'header',
        name: 'Authorization',
        description: '`JWT <access token>`',
      },
      token: { description: 'An opaque token: `Knox <key>`' },
      session: { in: 'cookie', name: '__Host-sid' },
      csrf: { in: 'header', name: 'X-XSRF-Token' },
    });
  });

  it('list only schemes that exist', async () => {
    const doc = await documentOf(makeApp({ settings: { JWT_AUTH_COOKIE: 'access' } }));
    const schemes = new Set(Object.keys(doc.components.securitySchemes));
    expect(schemes.has('jwtCookie')).toBe(true);
    const unknown = Object.values(doc.paths)
      .flatMap((item) => Object.values(item).flatMap((op) => op.security))
      .flatMap((requirement) => Object.keys(requirement))
      .filter((name) => !schemes.has(name));
    expect(unknown).toEqual([]);
  });
});

/** The `METHOD path` pairs of the README's route table (its first column, under "## Routes"). */
function readmeRoutes(): string[] {
  const section = readme.split(/^## Routes$/m)[1]!.split(/^## /m)[0]!;
  const rows = section.split('\n').filter((line) => /^\|\s*`/.test(line));
  return rows.flatMap((row) => {
    const cell = row.split('|')[1]!;
    return [...cell.matchAll(/`([A-Z, ]+) (\/[^`\s]*)`/g)].flatMap(([, methods, path]) =>
      methods!.split(',').map((method) => `${method.trim()} ${path}`),
    );
  });
}

describe('the README', () => {
  it('lists in its route table exactly the routes and methods of the document', async () => {
    // In development, so that the development-only routes (the outbox) are in the document too.
    const doc = await documentOf(makeApp({ settings: { ENVIRONMENT: 'development' } }));
    const documented = new Set(operationsOf(doc));
    const table = new Set(readmeRoutes());
    expect(table.size).toBeGreaterThan(20);
    expect([...documented].filter((op) => !table.has(op))).toEqual([]);
    expect([...table].filter((op) => !documented.has(op))).toEqual([]);
  });
});

describe('the version', () => {
  it('is package.json’s', () => {
    expect(EDGEAUTH_VERSION).toBe(pkg.version);
  });
});

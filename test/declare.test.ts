/**
 * Declared routes (`routes/declare.ts`): registered per method, with DRF's
 * `OPTIONS` and 405 + `Allow`, authentication and permissions before the
 * handler, and a handler whose identity is non-null behind `IsAuthenticated`
 * (checked by the type checker: `npm test` runs `tsc` first).
 */
import { env } from 'cloudflare:test';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { edgeauth } from '../src/app';
import { parseConfig } from '../src/config';
import type { AppEnv } from '../src/env';
import { onError } from '../src/http/errors';
import { AllowAny, IsAuthenticated } from '../src/permissions';
import { operation, registerRoutes, type RouteDeclaration } from '../src/routes/declare';
import { cloudflareStores } from '../src/storage/cloudflare';
import { body as schema, string } from '../src/validation/schema';
import { BEARER, bearer, makeApp, makeUser, obtainPair, testVars } from './helpers';

const echo: RouteDeclaration = {
  path: '/echo/',
  name: 'Echo',
  tag: 'Test',
  operations: {
    GET: operation({
      summary: 'Who am I',
      authentication: 'default',
      permissions: [IsAuthenticated],
      responses: {},
      handler: (c, { auth }) => c.json({ user: auth.userId }),
    }),
    POST: operation({
      summary: 'Echo a field',
      authentication: 'default',
      permissions: [IsAuthenticated],
      body: schema({ word: string() }),
      responses: {},
      handler: async (c, { body }) => c.json({ word: (await body()).word }),
    }),
  },
};

const open = operation({
  summary: 'Anyone',
  authentication: 'default',
  permissions: [AllowAny],
  responses: {},
  handler(c, { auth }) {
    // Never called: the type checker must refuse it, since the identity may be null here.
    // @ts-expect-error: without IsAuthenticated, `auth` is `Authentication | null`
    const _unchecked = (): number => auth.userId;
    return c.json({ id: auth?.userId ?? null });
  },
});

/** Behind JWTAuthentication alone, the credential is a JWT (a type-level check). */
export const jwtOnly = operation({
  summary: 'JWT logout',
  authentication: ['JWTAuthentication'],
  permissions: [IsAuthenticated],
  responses: {},
  handler: (c, { auth }) => c.json({ jti: auth.credential.jti }),
});

/** Behind the default classes it may be any credential, or none (Basic). */
export const anyClass = operation({
  summary: 'Any credential',
  authentication: 'default',
  permissions: [IsAuthenticated],
  responses: {},
  handler(c, { auth }) {
    // @ts-expect-error: an opaque token or a session has no `jti`, Basic no credential at all
    const _unchecked = (): string => auth.credential.jti;
    return c.json({ method: auth.method });
  },
});

function app() {
  const hono = new Hono<AppEnv>({ strict: false });
  hono.use(edgeauth(parseConfig(testVars()), cloudflareStores(env)));
  hono.onError(onError);
  registerRoutes(hono, [
    echo,
    { path: '/open/', name: 'Open', tag: 'Test', operations: { GET: open } },
  ]);
  return hono;
}

describe('a declared route', () => {
  it('runs authentication and permissions before the handler, and reads its body schema', async () => {
    const edge = makeApp();
    const user = await makeUser(edge);
    const { access } = await obtainPair(edge, user);
    const hono = app();
    const anonymous = await hono.request('/echo/', {}, env);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('WWW-Authenticate')).toBe(BEARER);
    const mine = await hono.request('/echo/', { headers: bearer(access) }, env);
    expect(await mine.json()).toEqual({ user: user.id });
    expect(mine.headers.get('Allow')).toBe('GET, POST, HEAD, OPTIONS');
    const bad = await hono.request(
      '/echo/',
      {
        method: 'POST',
        headers: { ...bearer(access), 'Content-Type': 'application/json' },
        body: '{}',
      },
      env,
    );
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ word: ['This field is required.'] });
  });

  it('answers OPTIONS with its metadata and other methods with 405 and Allow', async () => {
    const edge = makeApp();
    const { access } = await obtainPair(edge, await makeUser(edge));
    const hono = app();
    const options = await hono.request(
      '/echo/',
      { method: 'OPTIONS', headers: bearer(access) },
      env,
    );
    expect(options.status).toBe(200);
    expect(((await options.json()) as { name: string }).name).toBe('Echo');
    const put = await hono.request('/echo/', { method: 'PUT', headers: bearer(access) }, env);
    expect(put.status).toBe(405);
    expect(put.headers.get('Allow')).toBe('GET, POST, HEAD, OPTIONS');
    expect(await put.json()).toEqual({
      detail: 'Method "PUT" not allowed.',
      code: 'method_not_allowed',
    });
  });

  it('lets anyone through AllowAny, with a null identity', async () => {
    const res = await app().request('/open/', {}, env);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: null });
  });
});

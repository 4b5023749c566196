import { env } from 'cloudflare:test';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { edgeauth } from '../src/app';
import { authenticate } from '../src/auth/authenticate';
import type { Authentication, Authenticator } from '../src/auth/types';
import { parseConfig } from '../src/config';
import type { AppEnv } from '../src/env';
import { onError } from '../src/http/errors';
import {
  AllowAny,
  IsAdminUser,
  IsAuthenticated,
  IsAuthenticatedOrReadOnly,
  and,
  not,
  or,
  requirePermission,
  type Permission,
} from '../src/permissions';
import { cloudflareStores } from '../src/storage/cloudflare';
import type { User } from '../src/storage/types';
import { testVars } from './helpers';

/** `X-User: staff` or `X-User: plain` authenticates; nothing is anonymous. */
const headerClass: Authenticator = {
  name: 'BasicAuthentication',
  challenge: () => 'Test realm="api"',
  async authenticate(c) {
    const kind = c.req.header('X-User');
    if (!kind) return null;
    const user: User = {
      id: 1,
      username: kind,
      email: '',
      passwordHash: '',
      isActive: true,
      isStaff: kind === 'staff',
      isSuperuser: false,
      dateJoined: 0,
      lastLogin: null,
      credentialsChangedAt: null,
      emailVerified: false,
    };
    return { method: 'token', userId: 1, user } as Authentication;
  },
};

function guarded(...permissions: Permission[]) {
  const app = new Hono<AppEnv>();
  app.use(edgeauth(parseConfig(testVars()), cloudflareStores(env)));
  app.onError(onError);
  const ran = { count: 0 };
  app.all('/', authenticate({ classes: [headerClass] }), requirePermission(...permissions), (c) => {
    ran.count += 1;
    return c.text('ok');
  });
  const status = async (user?: 'staff' | 'plain', method = 'GET') =>
    (await app.request('/', { method, headers: user ? { 'X-User': user } : {} }, env)).status;
  return { status, ran, app };
}

describe('permission classes', () => {
  it('AllowAny lets everyone in', async () => {
    const { status } = guarded(AllowAny);
    expect([await status(), await status('plain')]).toEqual([200, 200]);
  });

  it('IsAuthenticated answers anonymous requests 401 with the challenge, and never runs the handler', async () => {
    const { app, ran, status } = guarded(IsAuthenticated);
    const res = await app.request('/', {}, env);
    expect(res.status).toBe(401);
    expect(res.headers.get('WWW-Authenticate')).toBe('Test realm="api"');
    expect(await res.json()).toEqual({
      detail: 'Authentication credentials were not provided.',
      code: 'not_authenticated',
    });
    expect(ran.count).toBe(0);
    expect(await status('plain')).toBe(200);
  });

  it('IsAdminUser answers 403 permission_denied to authenticated non-staff', async () => {
    const { app, status } = guarded(IsAdminUser);
    const res = await app.request('/', { headers: { 'X-User': 'plain' } }, env);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      detail: 'You do not have permission to perform this action.',
      code: 'permission_denied',
    });
    expect([await status(), await status('staff')]).toEqual([401, 200]);
  });

  it('IsAuthenticatedOrReadOnly lets anonymous users read but not write', async () => {
    const { status } = guarded(IsAuthenticatedOrReadOnly);
    expect(await status(undefined, 'GET')).toBe(200);
    expect(await status(undefined, 'HEAD')).toBe(200);
    expect(await status(undefined, 'POST')).toBe(401);
    expect(await status('plain', 'POST')).toBe(200);
  });

  it('several permissions must all allow', async () => {
    const { status } = guarded(IsAuthenticated, IsAdminUser);
    expect([await status(), await status('plain'), await status('staff')]).toEqual([401, 403, 200]);
  });

  it('a permission with a message answers it', async () => {
    const closed: Permission = { hasPermission: () => false, message: 'Closed for maintenance.' };
    const { app } = guarded(closed);
    const res = await app.request('/', { headers: { 'X-User': 'staff' } }, env);
    expect(await res.json()).toEqual({
      detail: 'Closed for maintenance.',
      code: 'permission_denied',
    });
  });

  it('refuses to be built without permissions', () => {
    expect(() => requirePermission()).toThrow(/one or more permissions/);
  });
});

describe('composition', () => {
  it.each([
    ['and(IsAuthenticated, IsAdminUser)', and(IsAuthenticated, IsAdminUser), [401, 403, 200]],
    [
      'or(IsAdminUser, not(IsAuthenticated))',
      or(IsAdminUser, not(IsAuthenticated)),
      [200, 403, 200],
    ],
    ['not(IsAdminUser)', not(IsAdminUser), [200, 200, 403]],
    ['or(AllowAny, IsAdminUser)', or(AllowAny, IsAdminUser), [200, 200, 200]],
    ['and(AllowAny, not(AllowAny))', and(AllowAny, not(AllowAny)), [401, 403, 403]],
  ])('%s: anonymous, plain, staff', async (_name, permission, expected) => {
    const { status } = guarded(permission);
    expect([await status(), await status('plain'), await status('staff')]).toEqual(expected);
  });
});

describe('a route without authentication classes', () => {
  it('answers a refused permission with 403, since no class could have authenticated', async () => {
    const app = new Hono<AppEnv>();
    app.use(edgeauth(parseConfig(testVars()), cloudflareStores(env)));
    app.onError(onError);
    app.get('/', requirePermission(IsAuthenticated), (c) => c.text('ok'));
    const res = await app.request('/', {}, env);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'permission_denied' });
  });
});

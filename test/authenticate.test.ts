import { env } from 'cloudflare:test';
import { Hono } from 'hono';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { edgeauth } from '../src/app';
import { authenticate } from '../src/auth/authenticate';
import type { Authentication, Authenticator } from '../src/auth/types';
import { parseConfig } from '../src/config';
import type { AppEnv } from '../src/env';
import type { Permission } from '../src/permissions';
import { AuthError } from '../src/errors';
import { onError } from '../src/http/errors';
import { AllowAny, IsAuthenticated, requirePermission } from '../src/permissions';
import { cloudflareStores } from '../src/storage/cloudflare';
import { testVars } from './helpers';

/** An authentication class driven by a header: `X-Test: <name>:ok|fail`. */
function fakeClass(name: string, challenge?: string): Authenticator & { calls: number } {
  const fake = {
    name: 'BasicAuthentication' as const,
    calls: 0,
    challenge: challenge === undefined ? undefined : () => challenge,
    async authenticate(c: Parameters<Authenticator['authenticate']>[0]) {
      fake.calls += 1;
      const header = c.req.header('X-Test') ?? '';
      if (header === `${name}:ok`) {
        return { method: 'token', userId: name.length } as Authentication;
      }
      if (header === `${name}:fail`)
        throw new AuthError('authentication_failed', `${name} refused.`);
      return null;
    },
  };
  return fake;
}

function build(classes: Authenticator[], permission: Permission = IsAuthenticated) {
  const app = new Hono<AppEnv>();
  app.use(edgeauth(parseConfig(testVars()), cloudflareStores(env)));
  app.onError(onError);
  const ran = { handler: false };
  app.get('/', authenticate({ classes }), requirePermission(permission), (c) => {
    ran.handler = true;
    return c.json({ user: c.var.auth?.userId ?? null });
  });
  return {
    app,
    ran,
    request: (header?: string) =>
      app.request('/', { headers: header ? { 'X-Test': header } : {} }, env),
  };
}

describe('authenticate()', () => {
  it('lets the first class that identifies the user win; later classes are not tried', async () => {
    const first = fakeClass('first', 'First realm="api"');
    const second = fakeClass('second');
    const { request } = build([first, second]);
    const res = await request('first:ok');
    expect(await res.json()).toEqual({ user: 5 });
    expect(second.calls).toBe(0);
  });

  it('tries the next class when one finds no credentials of its kind', async () => {
    const { request } = build([fakeClass('first'), fakeClass('second')]);
    expect(await (await request('second:ok')).json()).toEqual({ user: 6 });
  });

  it('stops the chain at a class that fails, even when a later one would succeed', async () => {
    const first = fakeClass('first', 'First realm="api"');
    const second = fakeClass('second');
    const { request, ran } = build([first, second]);
    const res = await request('first:fail');
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ detail: 'first refused.', code: 'authentication_failed' });
    expect(second.calls).toBe(0);
    expect(ran.handler).toBe(false);
  });

  it('fails eagerly on a route that allows anyone', async () => {
    const { request, ran } = build([fakeClass('first', 'First realm="api"')], AllowAny);
    expect((await request('first:fail')).status).toBe(401);
    expect(ran.handler).toBe(false);
    expect((await request()).status).toBe(200);
  });

  it("answers 401 with the first class's challenge", async () => {
    const { request } = build([
      fakeClass('first', 'First realm="api"'),
      fakeClass('second', 'Second'),
    ]);
    const res = await request('second:fail');
    expect(res.status).toBe(401);
    expect(res.headers.get('WWW-Authenticate')).toBe('First realm="api"');
  });

  it('answers 403 without WWW-Authenticate when the first class has no challenge', async () => {
    const { request, ran } = build([fakeClass('first'), fakeClass('second', 'Second')]);
    for (const header of [undefined, 'second:fail']) {
      const res = await request(header);
      expect(res.status).toBe(403);
      expect(res.headers.get('WWW-Authenticate')).toBeNull();
    }
    expect(ran.handler).toBe(false);
  });

  it('uses DEFAULT_AUTHENTICATION_CLASSES when the route names none', async () => {
    const app = new Hono<AppEnv>();
    app.use(
      edgeauth(
        parseConfig(testVars({ DEFAULT_AUTHENTICATION_CLASSES: 'BasicAuthentication' })),
        cloudflareStores(env),
      ),
    );
    app.onError(onError);
    app.get('/', authenticate(), requirePermission(IsAuthenticated), (c) => c.text('ok'));
    const res = await app.request('/', {}, env);
    expect(res.headers.get('WWW-Authenticate')).toBe('Basic realm="api"');
  });

  it('refuses bad options when the middleware is built', () => {
    expect(() => authenticate({ classes: [] })).toThrow(/non-empty list/);
    expect(() => authenticate({ classes: ['NoSuchAuthentication' as never] })).toThrow(
      /unknown authentication class NoSuchAuthentication/,
    );
  });

  it('types c.var.auth', () => {
    const app = new Hono<AppEnv>();
    app.get('/', authenticate(), (c) => {
      expectTypeOf(c.var.auth).toEqualTypeOf<Authentication | null>();
      return c.text('');
    });
  });
});

import { env } from 'cloudflare:test';
import { Hono } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import {
  IsAuthenticated,
  SETTINGS,
  authenticate,
  edgeauthFromEnv,
  onError,
  requirePermission,
  type AppEnv,
} from '../src/lib';
import readme from '../README.md?raw';
import { PASSWORD, basic, makeApp, makeUser } from './helpers';

function protectedApp() {
  const app = new Hono<AppEnv>();
  app.use(edgeauthFromEnv());
  app.onError(onError);
  app.get(
    '/mine/',
    authenticate({ classes: ['BasicAuthentication'] }),
    requirePermission(IsAuthenticated),
    (c) => c.json({ user: c.var.auth?.userId }),
  );
  return app;
}

describe('edgeauth as a library in another Hono app', () => {
  it('protects its routes with settings and stores from the env', async () => {
    const user = await makeUser(makeApp());
    const app = protectedApp();
    const ok = await app.request('/mine/', { headers: basic(user.username, PASSWORD) }, env);
    expect(await ok.json()).toEqual({ user: user.id });
    const anonymous = await app.request('/mine/', {}, env);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('WWW-Authenticate')).toBe('Basic realm="api"');
  });

  it('answers 503 when a setting is invalid, naming it only in the log', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await protectedApp().request(
      '/mine/',
      {},
      { ...env, PASSWORD_MIN_LENGTH: 'eight' },
    );
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      detail: 'The service is misconfigured; see the server log.',
      code: 'service_unavailable',
    });
    expect(log).toHaveBeenCalledWith(
      expect.stringContaining('Invalid setting PASSWORD_MIN_LENGTH'),
    );
    log.mockRestore();
  });

  it('names the invalid setting in the 503 when ENVIRONMENT is development', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await protectedApp().request(
      '/mine/',
      {},
      { ...env, ENVIRONMENT: 'development', PASSWORD_MIN_LENGTH: 'eight' },
    );
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      detail: 'The service is misconfigured (setting PASSWORD_MIN_LENGTH); see the server log.',
      code: 'service_unavailable',
    });
    log.mockRestore();
  });
});

describe('the README', () => {
  it('documents every setting in its configuration table', () => {
    const row = (name: string) => new RegExp(`^\\|\\s*\`${name}\`\\s*\\|`, 'm');
    const missing = Object.keys(SETTINGS).filter((name) => !row(name).test(readme));
    expect(missing).toEqual([]);
  });
});

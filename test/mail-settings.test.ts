/**
 * Choosing the mail backend: `EMAIL_BACKEND` and the settings each backend
 * needs, checked at start-up with errors that name the setting (never a
 * value); and production without a backend, where the flows that need mail
 * refuse to start (503, `EMAIL_BACKEND` in the log) and no mail is ever
 * dropped without a trace.
 */
import { createExecutionContext, env } from 'cloudflare:test';
import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { edgeauth } from '../src/app';
import { parseConfig } from '../src/config';
import type { AppEnv } from '../src/env';
import { onError } from '../src/http/errors';
import worker from '../src/index';
import { edgeauthFromEnv } from '../src/lib';
import { createServices } from '../src/services';
import { cloudflareStores } from '../src/storage/cloudflare';
import { configErrorOf, makeApp, makeUser, testVars } from './helpers';

const KEY = 'pm-secret-server-token-0b7d';
const FROM = 'noreply@site.example';

function errorOf(settings: Record<string, unknown>) {
  return configErrorOf(() => parseConfig(testVars(settings), { warn: () => {} }));
}

afterEach(() => vi.restoreAllMocks());

describe('the mail settings', () => {
  it('default to the outbox in development and to no backend in production', () => {
    const stores = cloudflareStores(env);
    const development = parseConfig(testVars({ ENVIRONMENT: 'development' }));
    expect(development.EMAIL_BACKEND).toBe('outbox');
    expect(createServices(development, stores).mail.backend).toBe('outbox');
    const production = parseConfig(testVars());
    expect(production.EMAIL_BACKEND).toBeUndefined();
    expect(createServices(production, stores).mail.backend).toBeNull();
    expect(production.EMAIL_API_URL).toBe('https://api.postmarkapp.com/email');
    expect(production.EMAIL_TIMEOUT).toBe(10);
  });

  it('refuse the outbox in production, where nothing would ever read the mail', () => {
    const err = errorOf({ EMAIL_BACKEND: 'outbox' });
    expect(err.setting).toBe('EMAIL_BACKEND');
    expect(err.message).toContain('production needs postmark or cloudflare');
  });

  it('name EMAIL_API_KEY when postmark has no key', () => {
    const err = errorOf({ EMAIL_BACKEND: 'postmark', DEFAULT_FROM_EMAIL: FROM });
    expect(err.setting).toBe('EMAIL_API_KEY');
    expect(err.message).toContain('wrangler secret put EMAIL_API_KEY');
  });

  it.each(['postmark', 'cloudflare'])(
    'name DEFAULT_FROM_EMAIL when %s has no sender',
    (backend) => {
      const err = errorOf({ EMAIL_BACKEND: backend, EMAIL_API_KEY: KEY });
      expect(err.setting).toBe('DEFAULT_FROM_EMAIL');
    },
  );

  it.each([
    ['EMAIL_BACKEND', 'smtp'],
    ['DEFAULT_FROM_EMAIL', 'not an address'],
    ['DEFAULT_FROM_EMAIL', 'noreply@site.example\r\nBcc: everyone@example.com'],
    ['DEFAULT_FROM_EMAIL', 'A, B <noreply@site.example>'],
    ['EMAIL_API_URL', 'http://postmark.test/email'],
    ['EMAIL_TIMEOUT', '0'],
  ])('refuse %s=%j', (setting, value) => {
    const err = errorOf({
      EMAIL_BACKEND: 'postmark',
      EMAIL_API_KEY: KEY,
      DEFAULT_FROM_EMAIL: FROM,
      [setting]: value,
    });
    expect(err.setting).toBe(setting);
  });

  it('accept a sender with a display name', () => {
    const config = parseConfig(
      testVars({
        EMAIL_BACKEND: 'cloudflare',
        DEFAULT_FROM_EMAIL: 'Edge Site <noreply@site.example>',
      }),
    );
    expect(config.DEFAULT_FROM_EMAIL).toBe('Edge Site <noreply@site.example>');
  });

  it('never put the API key or a refused API URL, which may carry credentials, into an error', () => {
    const err = errorOf({
      EMAIL_BACKEND: 'postmark',
      EMAIL_API_KEY: KEY,
      DEFAULT_FROM_EMAIL: FROM,
      EMAIL_API_URL: `https://user:${KEY}@postmark.test/email?token=${KEY}`,
    });
    expect(err.setting).toBe('EMAIL_API_URL');
    expect(err.message).not.toContain(KEY);
  });

  it('refuse to start cloudflare without the send_email binding EMAIL, naming EMAIL_BACKEND', () => {
    const config = parseConfig(testVars({ EMAIL_BACKEND: 'cloudflare', DEFAULT_FROM_EMAIL: FROM }));
    const err = configErrorOf(() => createServices(config, cloudflareStores(env)));
    expect(err.setting).toBe('EMAIL_BACKEND');
    expect(err.message).toContain('send_email binding named EMAIL');
  });
});

describe('the EMAIL binding', () => {
  const vars = { ...env, EMAIL_BACKEND: 'cloudflare', DEFAULT_FROM_EMAIL: FROM };

  it('reaches the cloudflare backend from the Worker entry', async () => {
    const res = await worker.fetch(
      new Request('http://localhost/api/health/'),
      vars as typeof env,
      createExecutionContext(),
    );
    expect(res.status).toBe(200);
  });

  it('reaches the cloudflare backend from edgeauthFromEnv', async () => {
    const app = new Hono<AppEnv>();
    app.use(edgeauthFromEnv());
    app.onError(onError);
    app.get('/backend/', (c) => c.json({ backend: c.var.edgeauth.services.mail.backend }));
    const res = await app.request('/backend/', {}, vars);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ backend: 'cloudflare' });
  });
});

describe('production without a mail backend', () => {
  function appWithMailFlow() {
    const app = new Hono<AppEnv>();
    app.use(edgeauth(parseConfig(testVars()), cloudflareStores(env)));
    app.onError(onError);
    app.post('/needs-mail/', (c) => {
      c.var.edgeauth.services.mail.require();
      return c.json({ detail: 'sent' });
    });
    return app;
  }

  it('answers a flow that needs mail with a 503, and logs that EMAIL_BACKEND is missing', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await appWithMailFlow().request('/needs-mail/', { method: 'POST' }, env);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      detail: 'The service is misconfigured; see the server log.',
      code: 'service_unavailable',
    });
    expect(error.mock.calls.flat().join(' ')).toContain(
      'refusing to serve: Invalid setting EMAIL_BACKEND: no mail backend is configured',
    );
  });

  it('logs and records a mail sent anyway, never dropping it silently', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const user = await makeUser(makeApp());
    const services = createServices(parseConfig(testVars()), cloudflareStores(env));
    const mail = { to: 'ada@example.com', subject: 'Hello', text: 'Hi.', html: '<p>Hi.</p>' };
    await expect(services.mail.send(mail, user.id)).resolves.toBeUndefined();
    expect(error.mock.calls.flat().join(' ')).toContain(
      `mail to user ${user.id} not sent: ConfigError: Invalid setting EMAIL_BACKEND`,
    );
    const { events } = await services.audit.list({ userId: user.id, limit: 5, offset: 0 });
    expect(events).toMatchObject([
      { type: 'mail_failed', detail: { backend: null, subject: 'Hello' } },
    ]);
  });
});

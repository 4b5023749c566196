/**
 * The storage and services the account flows stand on: the security event
 * log, single-use keys (password resets, email confirmations), the
 * development outbox and the mail service's failure handling.
 */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../src/config';
import { ConfigError } from '../src/config/parse';
import { MailDeliveryError, type Mailer } from '../src/mail/types';
import { createServices } from '../src/services';
import { cloudflareStores } from '../src/storage/cloudflare';
import { call, makeApp, makeUser, testVars, unreachableD1 } from './helpers';

const stores = () => cloudflareStores(env);
const mail = { to: 'ada@example.com', subject: 'Hello', text: 'Hi.', html: '<p>Hi.</p>' };

afterEach(() => vi.restoreAllMocks());

describe('single-use keys', () => {
  it('a reset token is used once, even by ten concurrent confirms', async () => {
    const user = await makeUser(makeApp());
    const { passwordResets } = stores();
    const digest = crypto.randomUUID();
    const now = Date.now();
    await passwordResets.replace({
      digest,
      userId: user.id,
      createdAt: now,
      expiresAt: now + 3_600_000,
      fingerprint: 'f',
    });
    const results = await Promise.all(
      Array.from({ length: 10 }, () => passwordResets.consume(digest, now + 1)),
    );
    expect(results.filter((result) => result !== null)).toHaveLength(1);
  });

  it('a newer reset voids the older one, and an expired token is refused', async () => {
    const user = await makeUser(makeApp());
    const { passwordResets } = stores();
    const now = Date.now();
    const reset = { userId: user.id, createdAt: now, expiresAt: now + 1000, fingerprint: 'f' };
    await passwordResets.replace({ ...reset, digest: 'older' + user.id });
    await passwordResets.replace({ ...reset, digest: 'newer' + user.id });
    expect(await passwordResets.consume('older' + user.id, now)).toBeNull();
    expect(await passwordResets.consume('newer' + user.id, now + 1000)).toBeNull();
    expect(await passwordResets.consume('newer' + user.id, now + 999)).toMatchObject({
      userId: user.id,
    });
  });

  it('an email confirmation key is used once', async () => {
    const user = await makeUser(makeApp());
    const { emailConfirmations } = stores();
    const now = Date.now();
    const key = {
      digest: 'confirm' + user.id,
      userId: user.id,
      email: 'new@example.com',
      purpose: 'change' as const,
      createdAt: now,
      expiresAt: now + 1000,
    };
    await emailConfirmations.create(key);
    expect(await emailConfirmations.consume(key.digest, now)).toEqual(key);
    expect(await emailConfirmations.consume(key.digest, now)).toBeNull();
  });
});

describe('security events', () => {
  it('are stored, newest first, filtered, and logged as one JSON line', async () => {
    const user = await makeUser(makeApp());
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const services = createServices(parseConfig(testVars()), stores());
    await services.audit.record({ type: 'password_changed', userId: user.id, at: 1000 });
    await services.audit.record({ type: 'logout', userId: user.id, at: 2000, credential: 'jwt' });
    const { count, events } = await services.audit.list({ userId: user.id, limit: 10, offset: 0 });
    expect(count).toBe(2);
    expect(events.map((event) => event.type)).toEqual(['logout', 'password_changed']);
    expect(JSON.parse(log.mock.calls[1]![0] as string)).toEqual({
      edgeauth_event: 'logout',
      at: new Date(2000).toISOString(),
      userId: user.id,
      ip: null,
      credential: 'jwt',
    });
  });

  it('frequent events are one counted row per key and minute', async () => {
    const services = createServices(parseConfig(testVars()), stores());
    const key = crypto.randomUUID();
    for (const at of [60_000, 60_500, 119_999, 120_000]) {
      await services.audit.count({ type: 'throttled', at, detail: { key } }, key);
    }
    const { events } = await services.audit.list({ type: 'throttled', limit: 50, offset: 0 });
    const mine = events.filter((event) => event.detail?.key === key);
    expect(mine.map((event) => event.count)).toEqual([1, 3]);
  });

  it('a store that is down never fails the use case, and is logged', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const down = cloudflareStores({ ...env, DB: unreachableD1() });
    const services = createServices(parseConfig(testVars()), down);
    await expect(services.audit.record({ type: 'logout', userId: 1 })).resolves.toBeUndefined();
    expect(error.mock.calls.flat().join(' ')).toContain('security event logout not stored');
  });
});

describe('the mail service', () => {
  it('keeps development mail in the outbox, newest first, at GET /api/dev/outbox/', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const app = makeApp({ settings: { ENVIRONMENT: 'development' } });
    const services = createServices(
      parseConfig(testVars({ ENVIRONMENT: 'development' })),
      stores(),
    );
    const subject = `first ${crypto.randomUUID()}`;
    await services.mail.send({ ...mail, subject });
    await services.mail.send({ ...mail, subject: `second ${subject}` });
    const res = await call(app, '/api/dev/outbox/');
    expect(res.status).toBe(200);
    const listed = (await res.json()) as Array<Record<string, string>>;
    const mine = listed.filter((entry) => entry.subject!.endsWith(subject));
    expect(mine.map((entry) => entry.subject)).toEqual([`second ${subject}`, subject]);
    expect(Object.keys(mine[0]!).sort()).toEqual(['html', 'sent_at', 'subject', 'text', 'to']);
  });

  it('has no outbox in production (404)', async () => {
    const res = await call(makeApp(), '/api/dev/outbox/');
    expect(res.status).toBe(404);
  });

  it('logs and records a failed send, and never throws it', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const failing: Mailer = {
      name: 'failing',
      send: () => Promise.reject(new MailDeliveryError('failing', 'HTTP 500')),
    };
    const user = await makeUser(makeApp());
    const services = createServices(parseConfig(testVars()), stores(), undefined, {
      mailer: failing,
    });
    await expect(services.mail.send(mail, user.id)).resolves.toBeUndefined();
    expect(error.mock.calls.flat().join(' ')).toContain('failing: HTTP 500');
    const { events } = await services.audit.list({ userId: user.id, limit: 5, offset: 0 });
    expect(events[0]).toMatchObject({
      type: 'mail_failed',
      detail: { backend: 'failing', subject: 'Hello' },
    });
  });

  it('refuses the flows that need mail in production without a backend', () => {
    const services = createServices(parseConfig(testVars()), stores());
    expect(services.mail.backend).toBeNull();
    expect(() => services.mail.require()).toThrow(ConfigError);
    expect(() => services.mail.require()).toThrow(/EMAIL_BACKEND/);
  });
});

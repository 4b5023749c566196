import { env } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, parseConfig } from '../src/config';
import { checkNewPassword } from '../src/validation/new-password';
import { body, makeApp, postJson, testVars, uniqueName } from './helpers';

/**
 * The Pwned Passwords API is the fake in test/fake-hibp/worker.js, reached
 * through the test Worker's outbound service: `hibp.test` knows these two
 * passwords, `down.test` answers 503, `slow.test` never answers in time.
 */
const BREACHED_THRICE = 'violet sunrise over granite 7';
const BREACHED_ONCE = 'amber lantern beneath pines';
const UNKNOWN = 'quiet harbour under copper skies';

const ON = { PASSWORD_PWNED_CHECK: 'true', PASSWORD_PWNED_API_URL: 'https://hibp.test' };

interface Logged {
  path: string;
  headers: Record<string, string>;
}

async function fakeLog(): Promise<Logged[]> {
  return (await (await fetch('https://hibp.test/__log')).json()) as Logged[];
}

async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function register(settings: Record<string, unknown>, password: string) {
  const app = makeApp({ settings });
  const username = uniqueName('pwned');
  const res = await postJson(app, '/api/auth/register/', { username, password });
  return { status: res.status, body: await body(res), username };
}

async function userExists(username: string): Promise<boolean> {
  const row = await env.DB.prepare('SELECT id FROM users WHERE username = ?')
    .bind(username)
    .first();
  return row !== null;
}

beforeEach(async () => {
  await fetch('https://hibp.test/__log', { method: 'DELETE' });
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the Pwned Passwords check (PASSWORD_PWNED_CHECK)', () => {
  it('is off by default: no request leaves the Worker', async () => {
    expect(parseConfig(testVars()).PASSWORD_PWNED_CHECK).toBe(false);
    const result = await register({ PASSWORD_PWNED_API_URL: 'https://hibp.test' }, BREACHED_ONCE);
    expect(result.status).toBe(201);
    expect(await fakeLog()).toEqual([]);
  });

  it("refuses a password the API lists, with Django's message", async () => {
    const result = await register(ON, BREACHED_THRICE);
    expect(result).toMatchObject({
      status: 400,
      body: { password: ['This password is too common.'] },
    });
    expect(await userExists(result.username)).toBe(false);
  });

  it('sends only the first 5 hex digits of the SHA-1, and asks for padding', async () => {
    await register(ON, UNKNOWN);
    const hash = (await sha1Hex(UNKNOWN)).toUpperCase();
    const log = await fakeLog();
    expect(log).toHaveLength(1);
    expect(log[0]!.path).toBe(`/range/${hash.slice(0, 5)}`);
    expect(log[0]!.headers['add-padding']).toBe('true');
    expect(JSON.stringify(log)).not.toContain(hash.slice(5));
    expect(JSON.stringify(log)).not.toContain('harbour');
  });

  it('accepts a password the API does not list (its padding lines count 0)', async () => {
    const result = await register(ON, UNKNOWN);
    expect(result.status).toBe(201);
  });

  it('refuses only from PASSWORD_PWNED_MIN_COUNT breaches on', async () => {
    const twice = { ...ON, PASSWORD_PWNED_MIN_COUNT: '2' };
    expect((await register(twice, BREACHED_ONCE)).status).toBe(201);
    expect((await register(twice, BREACHED_THRICE)).status).toBe(400);
  });

  it('never asks about a password the offline validators refuse already', async () => {
    const result = await register(ON, 'qwertyuiopas');
    expect(result.body).toEqual({ password: ['This password is too common.'] });
    expect(await fakeLog()).toEqual([]);
  });

  describe('when the API cannot answer', () => {
    it('accepts the password by default (fail open) and logs why, without the password', async () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const result = await register(
        { ...ON, PASSWORD_PWNED_API_URL: 'https://down.test' },
        UNKNOWN,
      );
      expect(result.status).toBe(201);
      expect(warn).toHaveBeenCalledWith(
        expect.stringContaining('Pwned Passwords API answered 503'),
      );
      const logged = JSON.stringify(warn.mock.calls);
      expect(logged).not.toContain('harbour');
      expect(logged.toLowerCase()).not.toContain((await sha1Hex(UNKNOWN)).slice(0, 5));
    });

    it('answers 503 with PASSWORD_PWNED_FAIL_CLOSED, and creates no account', async () => {
      const error = vi.spyOn(console, 'error').mockImplementation(() => {});
      const closed = { ...ON, PASSWORD_PWNED_FAIL_CLOSED: 'true' };
      const result = await register(
        { ...closed, PASSWORD_PWNED_API_URL: 'https://down.test' },
        UNKNOWN,
      );
      expect(result).toMatchObject({
        status: 503,
        body: {
          detail: 'The breached-password check is unavailable. Try again later.',
          code: 'service_unavailable',
        },
      });
      expect(await userExists(result.username)).toBe(false);
      expect(JSON.stringify(error.mock.calls)).not.toContain('harbour');
    });

    it('gives up after PASSWORD_PWNED_TIMEOUT seconds', async () => {
      vi.spyOn(console, 'error').mockImplementation(() => {});
      const slow = {
        ...ON,
        PASSWORD_PWNED_API_URL: 'https://slow.test',
        PASSWORD_PWNED_FAIL_CLOSED: 'true',
        PASSWORD_PWNED_TIMEOUT: '0.3',
      };
      const started = Date.now();
      const result = await register(slow, UNKNOWN);
      expect(result.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(5_000);
    });
  });

  it('runs in the shared check that createsuperuser uses too', async () => {
    const config = parseConfig(testVars(ON));
    expect(await checkNewPassword(BREACHED_THRICE, { username: 'root' }, config)).toEqual([
      'This password is too common.',
    ]);
    expect(await checkNewPassword(UNKNOWN, { username: 'root' }, config)).toEqual([]);
  });

  it('refuses an API URL that is not https, naming the setting', () => {
    expect(() =>
      parseConfig(testVars({ PASSWORD_PWNED_API_URL: 'http://api.pwnedpasswords.com' })),
    ).toThrow(ConfigError);
    expect(() => parseConfig(testVars({ PASSWORD_PWNED_API_URL: 'ftp://x' }))).toThrow(
      /PASSWORD_PWNED_API_URL/,
    );
    expect(parseConfig(testVars({ PASSWORD_PWNED_API_URL: 'https://hibp.test/' }))).toMatchObject({
      PASSWORD_PWNED_API_URL: 'https://hibp.test',
    });
  });
});

import { createExecutionContext, env } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { parseConfig, type ConfigError } from '../src/config';
import worker from '../src/index';
import { configErrorOf } from './helpers';

const SECRET = 'a-perfectly-fine-secret-for-these-tests-0123456789';

function errorOf(vars: Record<string, unknown>): ConfigError {
  return configErrorOf(() => parseConfig(vars, { warn: () => {} }));
}

describe('parseConfig', () => {
  it('never puts a refused URL, which may carry credentials, into the error it logs', () => {
    const err = errorOf({
      SECRET_KEY: SECRET,
      PASSWORD_PWNED_API_URL: 'http://user:hunter2@pwned.example',
    });
    expect(err.setting).toBe('PASSWORD_PWNED_API_URL');
    expect(err.message).not.toContain('hunter2');
  });

  it('fills every setting with its documented default', () => {
    const config = parseConfig({ SECRET_KEY: SECRET });
    expect(config.ENVIRONMENT).toBe('production');
    expect(config.PASSWORD_ARGON2_MEMORY_KIB).toBe(19456);
    expect(config.PASSWORD_ARGON2_ITERATIONS).toBe(2);
    expect(config.PASSWORD_ARGON2_PARALLELISM).toBe(1);
    expect(config.PASSWORD_MIN_LENGTH).toBe(8);
    expect(config.AUTH_PASSWORD_VALIDATORS).toHaveLength(4);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads numbers, booleans and lists given as strings or as TOML values', () => {
    const fromStrings = parseConfig({
      SECRET_KEY: SECRET,
      PASSWORD_MIN_LENGTH: '12',
      REGISTRATION_OPEN: 'false',
      AUTH_PASSWORD_VALIDATORS: 'MinimumLengthValidator, NumericPasswordValidator',
    });
    const fromToml = parseConfig({
      SECRET_KEY: SECRET,
      PASSWORD_MIN_LENGTH: 12,
      REGISTRATION_OPEN: false,
      AUTH_PASSWORD_VALIDATORS: ['MinimumLengthValidator', 'NumericPasswordValidator'],
    });
    expect(fromStrings).toEqual(fromToml);
    expect(fromToml.AUTH_PASSWORD_VALIDATORS).toEqual([
      'MinimumLengthValidator',
      'NumericPasswordValidator',
    ]);
  });

  it.each([
    ['PASSWORD_MIN_LENGTH', 'eight', /expected a whole number/],
    ['PASSWORD_MIN_LENGTH', '0', /between 1 and 128/],
    ['REGISTRATION_OPEN', 'maybe', /expected true or false/],
    ['ENVIRONMENT', 'staging', /one of production, development/],
    ['AUTH_PASSWORD_VALIDATORS', 'MinimumLengthValidator,Nope', /one of/],
    ['AUTH_PASSWORD_VALIDATORS', '["MinimumLengthValidator"', /not valid JSON/],
    ['DEFAULT_AUTHENTICATION_CLASSES', 'BasicAuthentication,BasicAuthentication', /same entry/],
    ['PASSWORD_MAX_SIMILARITY', '0.05', /between 0.1 and 1/],
    ['ROUTE_PREFIX_ME', 'api/me', /must start with "\/"/],
    ['ROUTE_PREFIX_ME', '/api/me/', /not end with/],
  ])('names %s when its value %j is invalid', (setting, value, message) => {
    const error = errorOf({ SECRET_KEY: SECRET, [setting]: value });
    expect(error.setting).toBe(setting);
    expect(error.message).toContain(`Invalid setting ${setting}`);
    expect(error.message).toMatch(message);
  });

  it('suggests the setting a misspelt name was meant to be', () => {
    const error = errorOf({ SECRET_KEY: SECRET, PASWORD_MIN_LENGTH: '10' });
    expect(error.setting).toBe('PASWORD_MIN_LENGTH');
    expect(error.message).toContain('did you mean PASSWORD_MIN_LENGTH?');
  });

  it('ignores vars that are not near any setting name', () => {
    expect(() => parseConfig({ SECRET_KEY: SECRET, MY_APP_FEATURE: 'on' })).not.toThrow();
  });

  it('rejects a memory cost too small for the lanes', () => {
    const error = errorOf({
      SECRET_KEY: SECRET,
      PASSWORD_ARGON2_MEMORY_KIB: '16',
      PASSWORD_ARGON2_PARALLELISM: '4',
    });
    expect(error.setting).toBe('PASSWORD_ARGON2_MEMORY_KIB');
  });

  describe('SECRET_KEY in production', () => {
    it('is required', () => {
      expect(errorOf({}).message).toBe(
        'Invalid setting SECRET_KEY: is required; set it with `wrangler secret put SECRET_KEY`',
      );
    });

    it.each([
      ['short', 'too-short-secret', /shorter than 32/],
      ['repetitive', 'a'.repeat(40), /too few distinct/],
      ['a placeholder', 'please-change-me-before-deploying-0123456789', /placeholder/],
    ])('refuses a %s secret without echoing it', (_kind, secret, message) => {
      const error = errorOf({ SECRET_KEY: secret });
      expect(error.setting).toBe('SECRET_KEY');
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain(secret);
    });
  });

  describe('SECRET_KEY in development', () => {
    it('warns and uses a random key when it is missing', () => {
      const warn = vi.fn();
      const first = parseConfig({ ENVIRONMENT: 'development' }, { warn });
      const second = parseConfig({ ENVIRONMENT: 'development' }, { warn });
      expect(warn).toHaveBeenCalledTimes(2);
      expect(warn.mock.calls[0]![0]).toMatch(/SECRET_KEY is not set/);
      expect(first.SECRET_KEY.length).toBeGreaterThanOrEqual(32);
      expect(first.SECRET_KEY).not.toBe(second.SECRET_KEY);
    });

    it('warns about a weak key but keeps it', () => {
      const warn = vi.fn();
      const config = parseConfig({ ENVIRONMENT: 'development', SECRET_KEY: 'dev' }, { warn });
      expect(config.SECRET_KEY).toBe('dev');
      expect(warn.mock.calls[0]![0]).toMatch(/refused when ENVIRONMENT is production/);
    });
  });
});

describe('the Worker with an invalid setting', () => {
  async function fetchWith(vars: Record<string, unknown>): Promise<Response> {
    return worker.fetch(
      new Request('http://localhost/api/health/'),
      { ...env, ...vars } as typeof env,
      createExecutionContext(),
    );
  }

  it('answers every request with a 503 that does not name the setting, and logs which one', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await fetchWith({ SECRET_KEY: 'short' });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      detail: 'The service is misconfigured; see the server log.',
      code: 'service_unavailable',
    });
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    expect(errors).toHaveBeenCalledWith(expect.stringMatching(/refusing to serve.*SECRET_KEY/));
    expect(errors.mock.calls.flat().join(' ')).not.toContain('short"');
    errors.mockRestore();
  });

  it.each([
    ['ENVIRONMENT is production', { ENVIRONMENT: 'production' }],
    ['ENVIRONMENT is itself invalid', { ENVIRONMENT: 'dev' }],
  ])('names no setting to the client when %s', async (_case, vars: Record<string, unknown>) => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await fetchWith({ ...vars, PASSWORD_MIN_LENGTH: 'eight' });
    expect(res.status).toBe(503);
    const body = (await res.json()) as { detail: string };
    expect(body.detail).toBe('The service is misconfigured; see the server log.');
    expect(errors).toHaveBeenCalledWith(expect.stringMatching(/Invalid setting/));
    errors.mockRestore();
  });

  it('names the setting in the 503 when ENVIRONMENT is development', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await fetchWith({ ENVIRONMENT: 'development', PASSWORD_MIN_LENGTH: 'eight' });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      detail: 'The service is misconfigured (setting PASSWORD_MIN_LENGTH); see the server log.',
      code: 'service_unavailable',
    });
    errors.mockRestore();
  });

  it('serves normally with valid settings', async () => {
    const res = await worker.fetch(
      new Request('http://localhost/api/health/'),
      env,
      createExecutionContext(),
    );
    expect(res.status).toBe(200);
  });
});

import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

describe('the test environment', () => {
  it('has exactly the bindings of wrangler.toml and vitest.config.ts, never a .dev.vars', () => {
    // .ci/run writes a .dev.vars with EDGEAUTH_DEV_VARS_PROBE before the tests.
    const names = Object.keys(env).filter((name) => !name.startsWith('__VITEST_POOL_WORKERS_'));
    expect(names.sort()).toEqual([
      'ASSETS',
      'DB',
      'EMAIL',
      'ENVIRONMENT',
      'KV',
      'PASSWORD_ARGON2_ITERATIONS',
      'PASSWORD_ARGON2_MEMORY_KIB',
      'SECRET_KEY',
      'TEST_MIGRATIONS',
      'TEST_SITE_ASSETS',
    ]);
    expect((env as unknown as Record<string, unknown>).ENVIRONMENT).toBe('production');
  });
});

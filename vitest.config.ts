import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

/**
 * Tests run inside workerd (the Workers runtime) with real local D1 and KV
 * from miniflare, configured from wrangler.toml. Password hashing is cheap
 * here through settings; tests that need OWASP's parameters build their own
 * app with the defaults.
 */
export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations');
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          // Explicit, so that a developer's .dev.vars never changes what the tests see.
          bindings: {
            ENVIRONMENT: 'production',
            TEST_MIGRATIONS: migrations,
            SECRET_KEY: 'test-only-secret-key-0123456789-abcdefghijklmnop',
            PASSWORD_ARGON2_MEMORY_KIB: '64',
            PASSWORD_ARGON2_ITERATIONS: '1',
          },
          // A second static site, test/fixtures/site, behind the real asset router: the
          // site-gate tests hand it to the gate as ASSETS to try layouts public/ lacks.
          serviceBindings: { TEST_SITE_ASSETS: 'test-site' },
          workers: [
            {
              name: 'test-site',
              modules: true,
              script: 'export default { fetch: (request, env) => env.ASSETS.fetch(request) };',
              compatibilityDate: '2026-11-01',
              assets: { directory: './test/fixtures/site', binding: 'ASSETS' },
            },
          ],
        },
      }),
    ],
    test: {
      include: ['test/**/*.test.ts'],
      setupFiles: ['./test/apply-migrations.ts'],
      testTimeout: 20_000,
    },
  };
});

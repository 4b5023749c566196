import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

/**
 * Two projects. `workers`: the suite proper, inside workerd (the Workers
 * runtime) with real local D1 and KV from miniflare, configured from
 * wrangler.toml. Password hashing is cheap here through settings; tests that
 * need OWASP's parameters build their own app with the defaults. `cli`: the
 * npm scripts (createsuperuser, rekey-usernames) run as a user runs them, as
 * Node child processes, in test/cli/; they touch no database.
 */
export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations');
  return {
    test: {
      projects: [
        {
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
              },
            }),
          ],
          test: {
            name: 'workers',
            include: ['test/**/*.test.ts'],
            exclude: ['test/cli/**'],
            setupFiles: ['./test/apply-migrations.ts'],
            testTimeout: 20_000,
          },
        },
        {
          test: {
            name: 'cli',
            include: ['test/cli/**/*.test.ts'],
            environment: 'node',
            testTimeout: 60_000,
          },
        },
      ],
    },
  };
});

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

/**
 * wrangler.toml as the tests read it: a copy in `.wrangler/vitest/` with its
 * paths made absolute. wrangler loads `.dev.vars` from the folder of the
 * configuration it is given, and no setting turns that off; from this folder
 * a developer's `.dev.vars` can never reach the tests (it would add bindings
 * that the explicit ones below do not override).
 */
function testWranglerConfig(): string {
  const root = resolve(import.meta.dirname);
  const toml = readFileSync(resolve(root, 'wrangler.toml'), 'utf8').replace(
    /^(\s*(?:main|migrations_dir|directory)\s*=\s*)"([^"]+)"/gm,
    (_, key: string, path: string) => `${key}${JSON.stringify(resolve(root, path))}`,
  );
  const folder = resolve(root, '.wrangler', 'vitest');
  mkdirSync(folder, { recursive: true });
  const path = resolve(folder, 'wrangler.toml');
  writeFileSync(path, toml);
  return path;
}

/**
 * The Workers runtime for the tests, with real local D1 and KV from
 * miniflare, configured from wrangler.toml. Password hashing is cheap here
 * through settings; tests that need OWASP's parameters build their own app
 * with the defaults. The Worker's outbound requests (the optional Pwned
 * Passwords check and the Postmark mail backend make them) go to fakes of
 * those APIs, auxiliary Workers (test/fake-hibp/worker.js, which hands the
 * host `postmark.test` to test/fake-postmark/worker.js). Its `send_email`
 * binding `EMAIL` is miniflare's local one, allowed to send only to the
 * address listed here, so that a refusal can be tested. `extra` adds
 * bindings (the fuzz configuration passes its seed and case count this way,
 * since the tests run inside workerd).
 */
export async function workersRuntime(extra: Record<string, string> = {}) {
  const migrations = await readD1Migrations('./migrations');
  return cloudflareTest({
    wrangler: { configPath: testWranglerConfig() },
    miniflare: {
      bindings: {
        ENVIRONMENT: 'production',
        TEST_MIGRATIONS: migrations,
        SECRET_KEY: 'test-only-secret-key-0123456789-abcdefghijklmnop',
        PASSWORD_ARGON2_MEMORY_KIB: '64',
        PASSWORD_ARGON2_ITERATIONS: '1',
        ...extra,
      },
      // A second static site, test/fixtures/site, behind the real asset router: the
      // site-gate tests hand it to the gate as ASSETS to try layouts public/ lacks.
      serviceBindings: { TEST_SITE_ASSETS: 'test-site' },
      // Cloudflare Email Service, locally: for EMAIL_BACKEND=cloudflare.
      email: {
        send_email: [{ name: 'EMAIL', allowed_destination_addresses: ['ada@mail.test'] }],
      },
      // Have I Been Pwned's range API and Postmark, faked: every outbound fetch of the Worker goes here.
      outboundService: 'fake-hibp',
      workers: [
        {
          name: 'test-site',
          modules: true,
          script: 'export default { fetch: (request, env) => env.ASSETS.fetch(request) };',
          compatibilityDate: '2026-11-01',
          assets: { directory: './test/fixtures/site', binding: 'ASSETS' },
        },
        {
          name: 'fake-hibp',
          modules: true,
          scriptPath: './test/fake-hibp/worker.js',
          compatibilityDate: '2026-11-01',
          serviceBindings: { POSTMARK: 'fake-postmark' },
        },
        {
          name: 'fake-postmark',
          modules: true,
          scriptPath: './test/fake-postmark/worker.js',
          compatibilityDate: '2026-11-01',
        },
      ],
    },
  });
}

/**
 * Two projects. `workers`: the suite proper, inside workerd (`npm run fuzz`
 * has its own configuration, test/fuzz/vitest.fuzz.config.ts). `cli`: the npm
 * scripts (createsuperuser, import-drf-tokens, rekey-usernames) run as a user
 * runs them, as Node child processes, in test/cli/; they touch no database.
 */
export default defineConfig(async () => ({
  test: {
    projects: [
      {
        plugins: [await workersRuntime()],
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
}));

/**
 * @module index
 * The Worker entry: validates the settings, builds the app once per
 * configuration, and serves; its scheduled handler purges expired rows. With
 * an invalid setting it serves nothing but a 503 that says the service is
 * misconfigured, and logs which setting is wrong (the 503 names it only when
 * ENVIRONMENT is development); it never falls back to a default secret.
 */
import type { Hono } from 'hono';
import { createApp } from './app';
import { ConfigError, environmentOf, parseConfig } from './config';
import type { AppEnv, Bindings } from './env';
import { describe, misconfiguredDetail } from './errors';
import { createServices, type Services } from './services';
import { cloudflareStores } from './storage/cloudflare';

type Built = { app: Hono<AppEnv>; services: Services } | { error: string; development: boolean };

const built = new WeakMap<object, Built>();

function build(env: Bindings): Built {
  let result = built.get(env);
  if (!result) {
    const vars = env as unknown as Record<string, unknown>;
    try {
      const stores = cloudflareStores(env);
      const config = parseConfig(vars);
      const options = { sendEmail: env.EMAIL };
      result = {
        app: createApp(config, stores, options),
        services: createServices(config, stores, undefined, options),
      };
    } catch (err) {
      const message = err instanceof ConfigError ? err.message : describe(err);
      console.error(`edgeauth: refusing to serve: ${message}`);
      result = {
        error: err instanceof ConfigError ? err.setting : 'configuration',
        development: environmentOf(vars) === 'development',
      };
    }
    built.set(env, result);
  }
  return result;
}

function misconfigured(setting: string, development: boolean): Response {
  const body = { detail: misconfiguredDetail(setting, development), code: 'service_unavailable' };
  return Response.json(body, {
    status: 503,
    headers: {
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'same-origin',
      'Cross-Origin-Opener-Policy': 'same-origin',
    },
  });
}

export default {
  fetch(request, env, ctx) {
    const result = build(env);
    if ('error' in result) return misconfigured(result.error, result.development);
    return result.app.fetch(request, env, ctx);
  },

  /** The cron trigger in wrangler.toml: deletes expired tokens and refresh families. */
  async scheduled(_controller, env) {
    const result = build(env);
    if ('error' in result) throw new Error(`edgeauth is misconfigured (setting ${result.error})`);
    const purged = await result.services.health.purgeExpired();
    console.log(
      `edgeauth purge: ${purged.apiTokens} expired tokens, ${purged.refreshFamilies} refresh families, ` +
        `${purged.passwordResets} reset tokens, ${purged.emailConfirmations} email confirmations`,
    );
  },
} satisfies ExportedHandler<Bindings>;

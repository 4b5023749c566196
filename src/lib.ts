/**
 * @module lib
 * edgeauth as a library: the middleware and classes another Hono app uses to
 * authenticate its own routes the DRF way.
 *
 * @example
 * import { Hono } from 'hono';
 * import { IsAdminUser, authenticate, edgeauthFromEnv, onError, requirePermission } from './lib';
 * import type { AppEnv } from './lib';
 *
 * const app = new Hono<AppEnv>();
 * app.use(edgeauthFromEnv());
 * app.onError(onError);
 * app.get('/reports/', authenticate(), requirePermission(IsAdminUser), (c) => c.json([]));
 */
import type { MiddlewareHandler } from 'hono';
import { edgeauth, type AppOptions } from './app';
import { parseConfig } from './config';
import type { AppEnv, Bindings } from './env';
import { cloudflareStores } from './storage/cloudflare';

export { createApp, edgeauth, type AppOptions } from './app';
export { authenticate, loadUser, type AuthenticateOptions } from './auth/authenticate';
export type { Authentication, Authenticator, AuthMethod } from './auth/types';
export { ConfigError, SETTINGS, parseConfig, type AuthConfig } from './config';
export type { AppEnv, Bindings, Runtime } from './env';
export { AuthError, ValidationError, type AuthErrorCode } from './errors';
export { notFound, onError } from './http/errors';
export * from './permissions';
export { cloudflareStores } from './storage/cloudflare';

/**
 * `edgeauth(...)` built from the Worker's own bindings and vars on first use
 * (and again only if they change). An invalid setting answers 503 and is
 * logged, like the edgeauth Worker itself.
 */
export function edgeauthFromEnv(options: AppOptions = {}): MiddlewareHandler<AppEnv> {
  const built = new WeakMap<object, MiddlewareHandler<AppEnv>>();
  return async function edgeauthFromEnv(c, next) {
    let middleware = built.get(c.env);
    if (!middleware) {
      const env = c.env as Bindings;
      const config = parseConfig(env as unknown as Record<string, unknown>);
      middleware = edgeauth(config, cloudflareStores(env), options);
      built.set(c.env, middleware);
    }
    return middleware(c, next);
  };
}

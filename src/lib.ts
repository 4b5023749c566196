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
import type { Services } from './services';
import { cloudflareStores } from './storage/cloudflare';

export { createApp, declaredRoutes, edgeauth, type AppOptions } from './app';
export { authenticate, loadUser, type AuthenticateOptions } from './auth/authenticate';
export type { Authentication, Authenticator, AuthMethod } from './auth/types';
export { ConfigError, SETTINGS, parseConfig, type AuthConfig } from './config';
export type { AppEnv, Bindings, Runtime } from './env';
export { ApiError, AuthError, ValidationError, type AuthErrorCode, type ErrorCode } from './errors';
export { notFound, onError } from './http/errors';
export { MailDeliveryError, type Mail, type Mailer } from './mail/types';
export * from './permissions';
export { cloudflareStores } from './storage/cloudflare';
export { createServices, systemClock, type Clock, type Services } from './services';
export type { LoginHooks, LoginAttempt, LoginRefusal } from './services/login';

/**
 * Deactivates the account and revokes everything it holds: refresh
 * families, opaque tokens, sessions, and (through the revoked-before
 * marker) every access token already issued.
 *
 * @example
 * app.post('/admin/users/:id/deactivate/', authenticate(), requirePermission(IsAdminUser), async (c) => {
 *   await deactivateUser(c.var.edgeauth.services, Number(c.req.param('id')));
 *   return c.body(null, 204);
 * });
 */
export function deactivateUser(services: Services, userId: number): Promise<void> {
  return services.revocation.deactivateUser(userId);
}

/** Revokes everything the user holds ("log out everywhere"); resolves the revoked-before moment (ms). */
export function revokeAllCredentials(services: Services, userId: number): Promise<number> {
  return services.revocation.revokeAllCredentials(userId);
}

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
      middleware = edgeauth(config, cloudflareStores(env), { sendEmail: env.EMAIL, ...options });
      built.set(c.env, middleware);
    }
    return middleware(c, next);
  };
}

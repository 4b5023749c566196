/**
 * @module app
 * `createApp(config, stores)`: the edgeauth Hono app: global middleware,
 * error rendering, every declared route under its configured prefix, the
 * OpenAPI document made from them, and the static-site gate.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { basicAuthentication } from './auth/basic';
import { jwtAuthentication } from './auth/jwt';
import { dropStaleSessionCookie, sessionAuthentication } from './auth/session';
import { tokenAuthentication } from './auth/token';
import type { Authenticator } from './auth/types';
import type { AuthConfig } from './config';
import type { AuthenticationClassName } from './config/settings';
import type { AppEnv, Runtime } from './env';
import { securityHeaders } from './http/headers';
import { notFound, onError } from './http/errors';
import { adminRoutes } from './routes/admin';
import { apiTokenRoutes } from './routes/api-tokens';
import { registerRoutes, type RouteDeclaration } from './routes/declare';
import { confirmEmailPageRoutes } from './routes/confirm-email-page';
import { devRoutes } from './routes/dev';
import { emailVerificationRoutes } from './routes/email-verification';
import { healthRoutes } from './routes/health';
import { jwtRoutes } from './routes/jwt';
import { loginPageRoutes } from './routes/login-page';
import { passwordRoutes } from './routes/passwords';
import { schemaRoutes } from './routes/openapi';
import { passwordResetPageRoutes } from './routes/password-reset-pages';
import { passwordResetRoutes } from './routes/password-reset';
import { sessionRoutes } from './routes/sessions';
import { siteGate } from './routes/site';
import { userRoutes } from './routes/users';
import { wellKnownRoutes } from './routes/well-known';
import { createServices, type Clock, type ServiceOptions } from './services';
import type { Stores } from './storage/types';

export interface AppOptions extends ServiceOptions {
  /** Where time comes from (default: the system clock). */
  clock?: Clock;
}

/** Builds the services and every authentication class, and resolves the default list. */
function buildRuntime(config: Readonly<AuthConfig>, stores: Stores, options: AppOptions): Runtime {
  const services = createServices(config, stores, options.clock, options);
  const authenticators: Record<AuthenticationClassName, Authenticator> = {
    JWTAuthentication: jwtAuthentication(config, services.jwt),
    TokenAuthentication: tokenAuthentication(config, services.apiTokens),
    SessionAuthentication: sessionAuthentication(config, services.sessions),
    BasicAuthentication: basicAuthentication(services.login),
  };
  const defaultAuthenticators = config.DEFAULT_AUTHENTICATION_CLASSES.map(
    (name) => authenticators[name],
  );
  return { config, services, authenticators, defaultAuthenticators };
}

/**
 * Middleware that gives a Hono app edgeauth's runtime (settings, services,
 * authentication classes), which `authenticate()`, `requirePermission()` and
 * the routes read. `createApp` installs it; another Hono app installs it to
 * protect its own routes.
 *
 * @example
 * const app = new Hono<AppEnv>();
 * app.use(edgeauth(parseConfig(env), cloudflareStores(env)));
 * app.onError(onError);
 * app.get('/reports/', authenticate(), requirePermission(IsAdminUser), listReports);
 */
export function edgeauth(
  config: Readonly<AuthConfig>,
  stores: Stores,
  options: AppOptions = {},
): MiddlewareHandler<AppEnv> {
  const runtime = buildRuntime(config, stores, options);
  return async function edgeauth(c, next) {
    c.set('edgeauth', runtime);
    c.set('auth', null);
    c.set('authenticators', []);
    await next();
    dropStaleSessionCookie(c);
  };
}

/** Every route edgeauth serves, declared, with the configured prefixes. */
export function declaredRoutes(config: Readonly<AuthConfig>): RouteDeclaration[] {
  const routes = [
    ...healthRoutes(config),
    ...userRoutes(config),
    ...emailVerificationRoutes(config),
    ...jwtRoutes(config),
    ...apiTokenRoutes(config),
    ...wellKnownRoutes(),
    ...sessionRoutes(config),
    ...loginPageRoutes(config),
    ...confirmEmailPageRoutes(config),
    ...devRoutes(config),
    ...passwordRoutes(config),
    ...adminRoutes(config),
    ...passwordResetRoutes(config),
    ...passwordResetPageRoutes(config),
  ];
  return [...routes, ...schemaRoutes(config, routes)];
}

/**
 * @example
 * const app = createApp(parseConfig(env), cloudflareStores(env));
 * export default { fetch: app.fetch };
 */
export function createApp(
  config: Readonly<AuthConfig>,
  stores: Stores,
  options: AppOptions = {},
): Hono<AppEnv> {
  const app = new Hono<AppEnv>({ strict: false });
  app.use(securityHeaders(config));
  app.use(edgeauth(config, stores, options));
  app.onError(onError);
  app.notFound(notFound);
  registerRoutes(app, declaredRoutes(config));
  app.use(siteGate(config));
  return app;
}

/**
 * @module app
 * `createApp(config, stores)`: the edgeauth Hono app: global middleware,
 * error rendering, and every route group under its configured prefix.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { basicAuthentication } from './auth/basic';
import { jwtAuthentication } from './auth/jwt';
import { dropStaleSessionCookie, sessionAuthentication } from './auth/session';
import { tokenAuthentication } from './auth/token';
import type { Authenticator } from './auth/types';
import type { AuthConfig } from './config';
import type { AuthenticationClassName } from './config/settings';
import { wasmArgon2id } from './crypto/argon2id';
import { createJwtCodec } from './crypto/jwt';
import { createPasswordHasher, type PasswordHasher } from './crypto/password';
import type { AppEnv, Runtime } from './env';
import { securityHeaders } from './http/headers';
import { notFound, onError } from './http/errors';
import { apiTokenRoutes } from './routes/api-tokens';
import { healthRoutes } from './routes/health';
import { loginPageRoutes } from './routes/login-page';
import { sessionRoutes } from './routes/sessions';
import { siteRoutes } from './routes/site';
import { tokenRoutes } from './routes/token';
import { wellKnownRoutes } from './routes/well-known';
import { userRoutes } from './routes/users';
import { codecSettings } from './services/token-claims';
import type { Stores } from './storage/types';

export interface AppOptions {
  /** Replaces the password hasher built from the `PASSWORD_ARGON2_*` settings. */
  hasher?: PasswordHasher;
}

/** Builds every authentication class and resolves the default list. */
function buildRuntime(config: Readonly<AuthConfig>, stores: Stores, options: AppOptions): Runtime {
  const hasher =
    options.hasher ??
    createPasswordHasher(
      {
        memoryKiB: config.PASSWORD_ARGON2_MEMORY_KIB,
        iterations: config.PASSWORD_ARGON2_ITERATIONS,
        parallelism: config.PASSWORD_ARGON2_PARALLELISM,
      },
      wasmArgon2id,
    );
  const codec = createJwtCodec(codecSettings(config));
  const authenticators: Record<AuthenticationClassName, Authenticator> = {
    JWTAuthentication: jwtAuthentication(config),
    TokenAuthentication: tokenAuthentication(config),
    SessionAuthentication: sessionAuthentication(config),
    BasicAuthentication: basicAuthentication(),
  };
  const defaultAuthenticators = config.DEFAULT_AUTHENTICATION_CLASSES.map(
    (name) => authenticators[name],
  );
  return { config, stores, hasher, codec, authenticators, defaultAuthenticators };
}

/**
 * Middleware that gives a Hono app edgeauth's runtime (settings, stores,
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

  healthRoutes(app, config.ROUTE_PREFIX_HEALTH);
  userRoutes(app, { auth: config.ROUTE_PREFIX_AUTH, me: config.ROUTE_PREFIX_ME });
  tokenRoutes(app, config.ROUTE_PREFIX_JWT);
  apiTokenRoutes(app, {
    authtoken: config.ROUTE_PREFIX_AUTHTOKEN,
    tokens: config.ROUTE_PREFIX_TOKENS,
  });
  wellKnownRoutes(app);
  sessionRoutes(app, config.ROUTE_PREFIX_AUTH);
  loginPageRoutes(app, config.ROUTE_PREFIX_LOGIN);
  siteRoutes(app, config);
  return app;
}

/**
 * @module auth/authenticate
 * `authenticate()`: DRF's authentication step as Hono middleware. It runs the
 * route's authentication classes in order (the `DEFAULT_AUTHENTICATION_CLASSES`
 * setting unless the route names its own): the first class that identifies a
 * user wins, a class that finds bad credentials stops the chain with its
 * error, and authentication is eager, so bad credentials fail even on routes
 * anyone may use. The result is `c.var.auth` (null: anonymous).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { AUTHENTICATION_CLASS_NAMES, type AuthenticationClassName } from '../config/settings';
import type { AppEnv } from '../env';
import type { User } from '../storage/types';
import { AuthError } from '../errors';
import type { Authenticator } from './types';

export interface AuthenticateOptions {
  /**
   * The classes for this route, by DRF name or as instances; default: the
   * `DEFAULT_AUTHENTICATION_CLASSES` setting. The first one's challenge is
   * the `WWW-Authenticate` of this route's 401s (none: they are 403s).
   */
  classes?: readonly (AuthenticationClassName | Authenticator)[];
}

function checkClasses(classes: AuthenticateOptions['classes'] & object): void {
  if (!Array.isArray(classes) || classes.length === 0) {
    throw new Error('authenticate(): `classes` must be a non-empty list when given');
  }
  for (const entry of classes) {
    const known = (AUTHENTICATION_CLASS_NAMES as readonly unknown[]).includes(entry);
    if (typeof entry === 'string' ? !known : typeof entry?.authenticate !== 'function') {
      throw new Error(`authenticate(): unknown authentication class ${String(entry)}`);
    }
  }
}

/**
 * @example
 * app.get('/api/me/', authenticate(), requirePermission(IsAuthenticated), handler);
 * app.post('/api/echo/', authenticate({ classes: ['TokenAuthentication'] }), handler);
 */
export function authenticate(options: AuthenticateOptions = {}): MiddlewareHandler<AppEnv> {
  const { classes } = options;
  if (classes !== undefined) checkClasses(classes);
  return async function authenticate(c, next) {
    const runtime = c.var.edgeauth;
    const chain = classes
      ? classes.map((entry: AuthenticationClassName | Authenticator) =>
          typeof entry === 'string' ? runtime.authenticators[entry] : entry,
        )
      : runtime.defaultAuthenticators;
    c.set('authenticators', chain);
    let auth = null;
    for (const authenticator of chain) {
      auth = await authenticator.authenticate(c);
      if (auth) break;
    }
    c.set('auth', auth);
    await next();
  };
}

/** The `WWW-Authenticate` challenge of the route's first authentication class, if any. */
export function routeChallenge(c: Context<AppEnv>): string | undefined {
  const chain = c.get('authenticators') as readonly Authenticator[] | undefined;
  return chain?.[0]?.challenge?.();
}

/**
 * The authenticated account, read from storage when the authentication
 * class did not already read it (JWT). An account deleted since the
 * credential was issued is DRF's "User not found".
 */
export async function loadUser(c: Context<AppEnv>): Promise<User> {
  const auth = c.var.auth;
  if (!auth)
    throw new AuthError('not_authenticated', 'Authentication credentials were not provided.');
  if (auth.user) return auth.user;
  const user = await c.var.edgeauth.stores.users.findById(auth.userId);
  if (!user) throw new AuthError('user_not_found', 'User not found');
  if (!user.isActive) throw new AuthError('user_inactive', 'User is inactive');
  return user;
}

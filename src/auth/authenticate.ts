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
import type { User } from '../services/users';
import { AuthError } from '../errors';
import type { Authentication, Authenticator } from './types';

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
 * Runs the authentication classes (`classes`, or the default ones) and sets
 * `c.var.auth`: the first identity found, or null. A class that finds bad
 * credentials throws, and the chain stops there.
 */
export async function identify(
  c: Context<AppEnv>,
  classes?: readonly (AuthenticationClassName | Authenticator)[],
): Promise<Authentication | null> {
  const runtime = c.var.edgeauth;
  const chain = classes
    ? classes.map((entry) => (typeof entry === 'string' ? runtime.authenticators[entry] : entry))
    : runtime.defaultAuthenticators;
  c.set('authenticators', chain);
  let auth: Authentication | null = null;
  for (const authenticator of chain) {
    auth = await authenticator.authenticate(c);
    if (auth) break;
  }
  c.set('auth', auth);
  return auth;
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
    await identify(c, classes);
    await next();
  };
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
  const user = await c.var.edgeauth.services.users.find(auth.userId);
  if (!user) throw new AuthError('user_not_found', 'User not found');
  if (!user.isActive) throw new AuthError('user_inactive', 'User is inactive');
  return user;
}

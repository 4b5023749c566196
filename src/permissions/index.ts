/**
 * @module permissions
 * DRF's permission classes and their composition, applied with
 * `requirePermission(...)` after `authenticate()`.
 *
 * A failed check answers as DRF does: when the route ran authentication
 * classes and none identified the user, "not authenticated" (401 with the
 * first class's challenge, or 403); otherwise 403 "permission denied".
 */
import type { Context, MiddlewareHandler } from 'hono';
import { loadUser } from '../auth/authenticate';
import type { AppEnv } from '../env';
import { notAuthenticated, permissionDenied } from '../errors';
import { SAFE_METHODS } from '../http/safe-methods';

export { SAFE_METHODS } from '../http/safe-methods';

export interface Permission {
  hasPermission(c: Context<AppEnv>): boolean | Promise<boolean>;
  /** The `detail` when this permission refuses; DRF's default text when absent. */
  readonly message?: string;
}

export const AllowAny: Permission = { hasPermission: () => true };

/** Marked, so that a declared route's handler behind it sees a non-null identity in its type. */
export const IsAuthenticated: Permission & { readonly requiresAuthentication: true } = {
  hasPermission: (c) => c.var.auth != null,
  requiresAuthentication: true,
};

/** Staff users only. Reads the account when the authentication class did not (JWT). */
export const IsAdminUser: Permission = {
  hasPermission: async (c) => c.var.auth != null && (await loadUser(c)).isStaff,
};

export const IsAuthenticatedOrReadOnly: Permission = {
  hasPermission: (c) => SAFE_METHODS.has(c.req.method) || c.var.auth != null,
};

/**
 * The request's credential carries every one of `scopes`. Credentials without
 * scopes (JWT, sessions, unscoped tokens) are unrestricted and pass.
 *
 * @example
 * app.get('/reports/', authenticate(), requirePermission(IsAuthenticated, HasScope('reports:read')), handler);
 */
export function HasScope(...scopes: string[]): Permission {
  if (scopes.length === 0) throw new Error('HasScope(): name at least one scope');
  return {
    hasPermission(c) {
      const auth = c.var.auth;
      if (!auth) return false;
      return auth.scopes == null || scopes.every((scope) => auth.scopes!.includes(scope));
    },
    message: `This token's scopes do not include ${scopes.join(', ')}.`,
  };
}

/** The request did not come with a scoped token (which may not manage credentials). */
export const IsNotScopedToken: Permission = {
  hasPermission: (c) => c.var.auth?.scopes == null,
  message: 'A scoped token cannot manage credentials.',
};

/** Scoped tokens may read (safe methods) but not change the account. */
export const IsNotScopedTokenOrReadOnly: Permission = {
  hasPermission: (c) => SAFE_METHODS.has(c.req.method) || c.var.auth?.scopes == null,
  message: 'A scoped token cannot change the account.',
};

/** Every permission must allow (DRF's `A & B`). */
export function and(...permissions: Permission[]): Permission {
  return {
    async hasPermission(c) {
      for (const permission of permissions) {
        if (!(await permission.hasPermission(c))) return false;
      }
      return true;
    },
  };
}

/** Any permission may allow (DRF's `A | B`). */
export function or(...permissions: Permission[]): Permission {
  return {
    async hasPermission(c) {
      for (const permission of permissions) {
        if (await permission.hasPermission(c)) return true;
      }
      return false;
    },
  };
}

/** Allows exactly when `permission` refuses (DRF's `~A`). */
export function not(permission: Permission): Permission {
  return { hasPermission: async (c) => !(await permission.hasPermission(c)) };
}

/**
 * Refuses the request unless every permission allows it: "not
 * authenticated" when authentication ran and found nobody, else "permission
 * denied" with the refusing permission's message.
 */
export async function checkPermissions(
  c: Context<AppEnv>,
  permissions: readonly Permission[],
): Promise<void> {
  for (const permission of permissions) {
    if (await permission.hasPermission(c)) continue;
    const ranAuthentication = (c.get('authenticators') ?? []).length > 0;
    if (ranAuthentication && !c.var.auth) throw notAuthenticated();
    throw permissionDenied(permission.message);
  }
}

/**
 * Middleware that refuses the request unless every permission allows it.
 *
 * @example
 * app.get('/admin/', authenticate(), requirePermission(IsAdminUser), handler);
 * app.get('/docs/', authenticate(), requirePermission(or(IsAdminUser, not(IsAuthenticated))), handler);
 */
export function requirePermission(...permissions: Permission[]): MiddlewareHandler<AppEnv> {
  if (permissions.length === 0 || permissions.some((p) => typeof p?.hasPermission !== 'function')) {
    throw new Error('requirePermission(): pass one or more permissions');
  }
  return async function requirePermission(c, next) {
    await checkPermissions(c, permissions);
    await next();
  };
}

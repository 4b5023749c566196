/**
 * @module auth/types
 * The one interface every authentication class implements, and what a
 * successful authentication yields.
 */
import type { Context } from 'hono';
import type { AuthenticationClassName } from '../config/settings';
import type { AppEnv } from '../env';
import type { JwtCredential } from '../services/jwt';
import type { User } from '../services/users';

/** How a request authenticated. */
export type AuthMethod = 'basic' | 'jwt' | 'token' | 'session';

/** The credential a request authenticated with. */
export type Credential =
  JwtCredential | { kind: 'token'; id: string } | { kind: 'session'; id: string };

/** The identity of an authenticated request (`c.var.auth`). */
export interface Authentication {
  method: AuthMethod;
  userId: number;
  /**
   * The full account when the class read it anyway (Basic, Token, Session).
   * JWT authentication never reads D1, so it leaves this out; a route or
   * permission that needs the account loads it (`loadUser`).
   */
  user?: User;
  /** The credential used, for logout (absent for Basic). */
  credential?: Credential;
  /** Scopes of a scoped opaque token; absent or null: unrestricted. */
  scopes?: readonly string[] | null;
  /** True when the credential came from a cookie (CSRF applies). */
  viaCookie?: boolean;
}

/**
 * An authentication class, as DRF has them: `authenticate` returns the
 * identity, or null when the request carries no credentials of this kind
 * (the next class is tried); it throws an `AuthError` when it carries bad
 * ones (the chain stops).
 */
export interface Authenticator {
  readonly name: AuthenticationClassName;
  authenticate(c: Context<AppEnv>): Promise<Authentication | null>;
  /** DRF's `authenticate_header`: the `WWW-Authenticate` value, if the class has one. */
  challenge?(): string;
}

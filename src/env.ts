/**
 * @module env
 * The Hono environment every middleware and route is typed with: the
 * runtime edgeauth installs, the request's identity, and the interface every
 * authentication class implements (`auth/` implements it; this module sits
 * below every folder that reads the context).
 */
import type { Context } from 'hono';
import type { Bindings } from './bindings';
import type { AuthConfig } from './config';
import type { AuthenticationClassName } from './config/settings';
import type { Services } from './services';
import type { JwtCredential } from './services/jwt';
import type { User } from './services/users';

export type { Bindings } from './bindings';

/** Everything a request handler needs, built once per configuration by `createApp`. */
export interface Runtime {
  config: Readonly<AuthConfig>;
  /** Every use case (`createServices`): what routes and authentication classes call. */
  services: Services;
  /** Every authentication class, by its DRF name. */
  authenticators: Readonly<Record<AuthenticationClassName, Authenticator>>;
  /** `DEFAULT_AUTHENTICATION_CLASSES`, resolved. */
  defaultAuthenticators: readonly Authenticator[];
}

/**
 * Context variables. `auth` is set by the `authenticate()` middleware:
 * the authenticated request's identity, or null for an anonymous request.
 */
export interface AuthVariables {
  auth: Authentication | null;
  /** The classes `authenticate()` ran for this route (DRF's `request.authenticators`). */
  authenticators: readonly Authenticator[];
  /** The request carried a session cookie that is no longer valid: the answer deletes it. */
  staleSessionCookie?: boolean;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: AuthVariables & { edgeauth: Runtime };
}

/** How a request authenticated. */
export type AuthMethod = 'basic' | 'jwt' | 'token' | 'session';

/** The credential a request authenticated with. */
export type Credential =
  JwtCredential | { kind: 'token'; id: string } | { kind: 'session'; id: string };

interface Identity {
  userId: number;
  /**
   * The full account when the class read it anyway (Basic, Token, Session).
   * JWT authentication never reads D1, so it leaves this out; a route or
   * permission that needs the account loads it (`loadUser`).
   */
  user?: User;
  /** Scopes of a scoped opaque token; absent or null: unrestricted. */
  scopes?: readonly string[] | null;
  /** True when the credential came from a cookie (CSRF applies). */
  viaCookie?: boolean;
}

/**
 * The identity of an authenticated request (`c.var.auth`), by the method it
 * authenticated with, and the credential used (what logout revokes; Basic
 * has none).
 */
export type Authentication =
  | (Identity & { method: 'jwt'; credential: JwtCredential })
  | (Identity & { method: 'token'; credential: { kind: 'token'; id: string } })
  | (Identity & { method: 'session'; credential: { kind: 'session'; id: string } })
  | (Identity & { method: 'basic'; credential?: undefined });

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

/**
 * @module env
 * The Worker's bindings and the Hono environment every middleware and route
 * is typed with.
 */
import type { Authentication, Authenticator } from './auth/types';
import type { AuthConfig } from './config';
import type { AuthenticationClassName } from './config/settings';
import type { Services } from './services';

/** What `wrangler.toml` binds. Settings arrive as further string vars. */
export interface Bindings {
  DB: D1Database;
  /** Sessions and the revocation list (one namespace, so one bulk read serves a request). */
  KV: KVNamespace;
  /** Workers Static Assets (`public/`), for the static-site gate; absent when the app is API-only. */
  ASSETS?: Fetcher;
}

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

/**
 * @module fuzz/targets
 * The Worker under test, in two configurations, both through the real entry
 * (`src/index.ts`) on the test's local D1, KV and static assets:
 *
 * - `default`: the settings of `wrangler.toml` and `vitest.config.ts`, through
 *   `SELF.fetch` (the Worker as the runtime serves it);
 * - `cookie-es256`: the exported `fetch` handler with another `env`: JWT
 *   cookie mode, ES256 with a fresh key (so the JWKS route lists it),
 *   BasicAuthentication added to the default classes, a public exception
 *   inside the gated area, and `ENVIRONMENT=development`, so that the routes
 *   that send mail have a backend (the outbox) and run to the end.
 */
import { SELF, createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import worker from '../../src/index';
import type { Bindings } from '../../src/env';
import type { TargetName } from './model';

export const ACCESS_COOKIE = 'access_token';
export const REFRESH_COOKIE = 'refresh_token';
/** `SITE_PUBLIC_PATHS` of the second configuration. */
export const PUBLIC_PAGE = '/app/report.html';

export interface Target {
  name: TargetName;
  fetch(request: Request): Promise<Response>;
  /** The private key material the configuration signs with (never to be answered). */
  serverSecrets: string[];
}

async function es256Jwk(): Promise<JsonWebKey> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  return (await crypto.subtle.exportKey('jwk', pair.privateKey)) as JsonWebKey;
}

export async function makeTargets(): Promise<Record<TargetName, Target>> {
  const jwk = await es256Jwk();
  const cookieEnv = {
    ...env,
    ALGORITHM: 'ES256',
    SIGNING_KEY: JSON.stringify(jwk),
    JWT_AUTH_COOKIE: ACCESS_COOKIE,
    JWT_AUTH_REFRESH_COOKIE: REFRESH_COOKIE,
    DEFAULT_AUTHENTICATION_CLASSES:
      'JWTAuthentication,TokenAuthentication,SessionAuthentication,BasicAuthentication',
    SITE_PUBLIC_PATHS: JSON.stringify([PUBLIC_PAGE]),
    ENVIRONMENT: 'development',
  } as unknown as Bindings;
  return {
    default: {
      name: 'default',
      fetch: (request) => SELF.fetch(request),
      serverSecrets: [env.SECRET_KEY],
    },
    'cookie-es256': {
      name: 'cookie-es256',
      async fetch(request) {
        const ctx = createExecutionContext();
        const incoming = request as Request<unknown, IncomingRequestCfProperties>;
        const response = await worker.fetch(incoming, cookieEnv, ctx);
        await waitOnExecutionContext(ctx);
        return response;
      },
      serverSecrets: [env.SECRET_KEY, jwk.d!],
    },
  };
}

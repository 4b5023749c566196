/**
 * @module routes/well-known
 * `GET /.well-known/jwks.json`: the public keys that verify edgeauth's JWTs
 * (RFC 7517), for other services. HMAC keys are secret and never listed, so
 * with an HS* algorithm the set is empty. Cached for five minutes: publish a
 * new key in `VERIFYING_KEYS` at least that long before signing with it.
 */
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../env';
import { endpoint } from '../http/endpoint';

/** How long verifiers may cache the key set. */
export const JWKS_MAX_AGE = 300;

async function jwks(c: Context<AppEnv>): Promise<Response> {
  const body = await c.var.edgeauth.codec.jwks();
  return c.json(body, 200, {
    'Cache-Control': `public, max-age=${JWKS_MAX_AGE}`,
    'Content-Type': 'application/jwk-set+json',
  });
}

export function wellKnownRoutes(app: Hono<AppEnv>): void {
  app.all('/.well-known/jwks.json', endpoint({ name: 'JWKS' }, { GET: jwks }));
}

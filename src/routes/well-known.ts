/**
 * @module routes/well-known
 * `GET /.well-known/jwks.json`: the public keys that verify edgeauth's JWTs
 * (RFC 7517), for other services. HMAC keys are secret and never listed, so
 * with an HS* algorithm the set is empty. Cached for five minutes: publish a
 * new key in `VERIFYING_KEYS` at least that long before signing with it.
 */
import { operation, type RouteDeclaration } from './declare';

/** How long verifiers may cache the key set. */
export const JWKS_MAX_AGE = 300;

export function wellKnownRoutes(): RouteDeclaration[] {
  return [
    {
      path: '/.well-known/jwks.json',
      name: 'JWKS',
      tag: 'JWT',
      operations: {
        GET: operation({
          summary: 'The public keys that verify this deployment’s JWTs (RFC 7517)',
          authentication: [],
          permissions: [],
          responses: {
            200: {
              description: 'The key set (empty with an HS* algorithm).',
              content: {
                type: 'application/jwk-set+json',
                schema: {
                  type: 'object',
                  properties: { keys: { type: 'array', items: { type: 'object' } } },
                  required: ['keys'],
                },
              },
            },
          },
          async handler(c) {
            const body = await c.var.edgeauth.services.jwks();
            return c.json(body, 200, {
              'Cache-Control': `public, max-age=${JWKS_MAX_AGE}`,
              'Content-Type': 'application/jwk-set+json',
            });
          },
        }),
      },
    },
  ];
}

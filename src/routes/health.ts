/**
 * @module routes/health
 * `GET <ROUTE_PREFIX_HEALTH>/`: 200 when every store answers, 503 naming the
 * ones that did not. Unauthenticated, and reveals nothing but reachability.
 */
import type { AuthConfig } from '../config';
import { SERVICE_UNAVAILABLE_DETAIL } from '../errors';
import { operation, type RouteDeclaration } from './declare';
import { json } from './responses';

const checks = {
  type: 'object',
  additionalProperties: { enum: ['ok', 'unavailable'] },
} as const;

export function healthRoutes(config: AuthConfig): RouteDeclaration[] {
  return [
    {
      path: `${config.ROUTE_PREFIX_HEALTH}/`,
      name: 'Health',
      tag: 'Operations',
      operations: {
        GET: operation({
          summary: 'Whether D1 and KV answer',
          authentication: [],
          permissions: [],
          responses: {
            200: json('Every store answers.', {
              type: 'object',
              properties: { status: { const: 'ok' }, checks },
              required: ['status', 'checks'],
            }),
            503: {
              description: 'A store does not answer.',
              json: {
                type: 'object',
                properties: { detail: { type: 'string' }, code: { type: 'string' }, checks },
                required: ['detail', 'code', 'checks'],
              },
              headers: { 'Retry-After': 'Seconds to wait before asking again.' },
            },
          },
          async handler(c) {
            const states = await c.var.edgeauth.services.health.check();
            if (Object.values(states).every((state) => state === 'ok')) {
              return c.json({ status: 'ok', checks: states });
            }
            const body = {
              detail: SERVICE_UNAVAILABLE_DETAIL,
              code: 'service_unavailable',
              checks: states,
            };
            return c.json(body, 503, { 'Retry-After': '5' });
          },
        }),
      },
    },
  ];
}

/**
 * @module routes/health
 * `GET <ROUTE_PREFIX_HEALTH>/`: 200 when every store answers, 503 naming the
 * ones that did not. Unauthenticated, and reveals nothing but reachability.
 */
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../env';
import { SERVICE_UNAVAILABLE_DETAIL, describe } from '../errors';
import { endpoint } from '../http/endpoint';

async function health(c: Context<AppEnv>): Promise<Response> {
  const { probes } = c.var.edgeauth.stores;
  const names = Object.keys(probes);
  const results = await Promise.allSettled(names.map((name) => probes[name]!()));
  const checks: Record<string, 'ok' | 'unavailable'> = {};
  results.forEach((result, i) => {
    checks[names[i]!] = result.status === 'fulfilled' ? 'ok' : 'unavailable';
    if (result.status === 'rejected') {
      console.error(`edgeauth health: ${names[i]} unavailable: ${describe(result.reason)}`);
    }
  });
  if (Object.values(checks).every((state) => state === 'ok')) {
    return c.json({ status: 'ok', checks });
  }
  return c.json({ detail: SERVICE_UNAVAILABLE_DETAIL, code: 'service_unavailable', checks }, 503, {
    'Retry-After': '5',
  });
}

export function healthRoutes(app: Hono<AppEnv>, path: string): void {
  app.all(path, endpoint({ name: 'Health' }, { GET: health }));
}

/**
 * @module services/health
 * Whether every store answers, for the health route. Reveals nothing but
 * reachability; what failed goes to the log.
 */
import { describe } from '../errors';
import type { ServiceContext } from './context';

export type StoreState = 'ok' | 'unavailable';

export function createHealthService(ctx: ServiceContext) {
  return {
    /** Each store by name (`d1`, `kv`) and whether it answered. */
    async check(): Promise<Record<string, StoreState>> {
      const { probes } = ctx.stores;
      const names = Object.keys(probes);
      const results = await Promise.allSettled(names.map((name) => probes[name]!()));
      const checks: Record<string, StoreState> = {};
      results.forEach((result, i) => {
        checks[names[i]!] = result.status === 'fulfilled' ? 'ok' : 'unavailable';
        if (result.status === 'rejected') {
          console.error(`edgeauth health: ${names[i]} unavailable: ${describe(result.reason)}`);
        }
      });
      return checks;
    },

    /** Deletes expired tokens and refresh families (the scheduled handler). */
    purgeExpired: () => ctx.stores.purger.purgeExpired(ctx.clock.now()),
  };
}

export type HealthService = ReturnType<typeof createHealthService>;

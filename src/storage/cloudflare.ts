/**
 * @module storage/cloudflare
 * The stores on Cloudflare's platform: users in D1 (through drizzle), and
 * probes of the KV namespaces for the health check.
 */
import { drizzle } from 'drizzle-orm/d1';
import type { Bindings } from '../env';
import { guard } from './guard';
import { d1UserStore } from './d1/users';
import type { Stores } from './types';

function kvProbe(name: string, namespace: KVNamespace): () => Promise<void> {
  return async () => {
    await guard(name, () => namespace.get('health:probe'));
  };
}

export function cloudflareStores(env: Bindings): Stores {
  const users = d1UserStore(drizzle(env.DB));
  return {
    users,
    probes: {
      d1: () => users.ping(),
      kv_sessions: kvProbe('kv_sessions', env.SESSIONS),
      kv_revocations: kvProbe('kv_revocations', env.REVOCATIONS),
    },
  };
}

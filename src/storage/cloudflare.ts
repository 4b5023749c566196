/**
 * @module storage/cloudflare
 * The stores on Cloudflare's platform: accounts and refresh families in D1
 * (through drizzle), sessions and revocations in one KV namespace.
 */
import { drizzle } from 'drizzle-orm/d1';
import type { Bindings } from '../bindings';
import { guard } from './guard';
import { d1ApiTokenStore } from './d1/api-tokens';
import { d1EmailConfirmationStore, d1PasswordResetStore } from './d1/one-time-keys';
import { d1Purger } from './d1/purge';
import { d1RefreshFamilyStore } from './d1/refresh-families';
import { d1SecurityEventStore } from './d1/security-events';
import { d1UserStore } from './d1/users';
import { kvOutboxStore } from './kv/outbox';
import { kvRevocationList } from './kv/revocation-list';
import { kvSessionStore } from './kv/sessions';
import type { Stores } from './types';

function kvProbe(name: string, namespace: KVNamespace): () => Promise<void> {
  return async () => {
    await guard(name, () => namespace.get('health:probe'));
  };
}

export function cloudflareStores(env: Bindings): Stores {
  const db = drizzle(env.DB);
  const users = d1UserStore(db);
  return {
    users,
    refreshFamilies: d1RefreshFamilyStore(db),
    apiTokens: d1ApiTokenStore(db),
    revocations: kvRevocationList(env.KV),
    sessions: kvSessionStore(env.KV),
    securityEvents: d1SecurityEventStore(db),
    passwordResets: d1PasswordResetStore(db),
    emailConfirmations: d1EmailConfirmationStore(db),
    outbox: kvOutboxStore(env.KV),
    purger: d1Purger(db),
    probes: {
      d1: () => users.ping(),
      kv: kvProbe('kv', env.KV),
    },
  };
}

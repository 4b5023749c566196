/**
 * @module storage/kv/revocation-list
 * `RevocationList` on Workers KV. `check` is one bulk read of up to three
 * keys, so JWT authentication costs one KV round trip and no D1 query.
 */
import { guard } from '../guard';
import type { RevocationList } from '../types';
import { kvKeys, kvTtl } from './keys';

interface UserMarker {
  /** Epoch ms: credentials issued before it are revoked. */
  revokedBefore: number;
}

export function kvRevocationList(kv: KVNamespace): RevocationList {
  return {
    async check({ jti, family, userId }) {
      const tokenKey = await kvKeys.revokedToken(jti);
      const familyKey = family === undefined ? undefined : await kvKeys.revokedFamily(family);
      const userKey = kvKeys.user(userId);
      const keys = familyKey ? [tokenKey, familyKey, userKey] : [tokenKey, userKey];
      const [found, revokedBefore] = await guard('kv', async () => {
        const values = await kv.get(keys, 'text');
        const marker = values.get(userKey);
        return [values, marker ? (JSON.parse(marker) as UserMarker).revokedBefore : null] as const;
      });
      return {
        tokenRevoked: found.get(tokenKey) != null,
        familyRevoked: familyKey !== undefined && found.get(familyKey) != null,
        revokedBefore,
      };
    },

    async revokeToken(jti, expiresAt, now) {
      const key = await kvKeys.revokedToken(jti);
      const ttl = kvTtl(expiresAt - now / 1000);
      await guard('kv', () => kv.put(key, '1', { expirationTtl: ttl }));
    },

    async revokeFamily(family, ttl) {
      const key = await kvKeys.revokedFamily(family);
      await guard('kv', () => kv.put(key, '1', { expirationTtl: kvTtl(ttl) }));
    },

    async setRevokedBefore(userId, at, ttl) {
      const marker: UserMarker = { revokedBefore: at };
      await guard('kv', () =>
        kv.put(kvKeys.user(userId), JSON.stringify(marker), { expirationTtl: kvTtl(ttl) }),
      );
    },
  };
}

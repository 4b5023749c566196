/**
 * @module storage/kv/sessions
 * `SessionStore` on Workers KV. A record lives under `sess:<public id>`; an
 * index entry `usess:<user>:<public id>` carries the same details as KV
 * metadata so that listing a user's sessions is one `list` call. Both expire
 * with the session.
 */
import { guard } from '../guard';
import type { SessionRecord, SessionStore } from '../types';
import { kvKeys, kvTtl } from './keys';

interface Compact {
  u: number;
  c: number;
  s: number;
  e: number;
  ua: string | null;
  ip: string | null;
}

function compact(record: SessionRecord): Compact {
  const { userId: u, createdAt: c, lastSeenAt: s, expiresAt: e, userAgent: ua, ip } = record;
  return { u, c, s, e, ua, ip };
}

function expand(value: Compact): SessionRecord {
  return {
    userId: value.u,
    createdAt: value.c,
    lastSeenAt: value.s,
    expiresAt: value.e,
    userAgent: value.ua,
    ip: value.ip,
  };
}

/** KV metadata is limited to 1024 bytes: long user agents are cut. */
function indexMetadata(record: SessionRecord): Compact {
  return { ...compact(record), ua: record.userAgent?.slice(0, 256) ?? null };
}

export function kvSessionStore(kv: KVNamespace): SessionStore {
  return {
    async put(publicId, record, ttl) {
      const expirationTtl = kvTtl(ttl);
      await guard('kv', () =>
        Promise.all([
          kv.put(kvKeys.session(publicId), JSON.stringify(compact(record)), { expirationTtl }),
          kv.put(kvKeys.userSession(record.userId, publicId), '', {
            expirationTtl,
            metadata: indexMetadata(record),
          }),
        ]),
      );
    },

    async read(publicId, userId) {
      const sessionKey = kvKeys.session(publicId);
      const userKey = kvKeys.user(userId);
      return guard('kv', async () => {
        const found = await kv.get([sessionKey, userKey], 'text');
        const session = found.get(sessionKey);
        const marker = found.get(userKey);
        return {
          record: session ? expand(JSON.parse(session) as Compact) : null,
          revokedBefore: marker
            ? (JSON.parse(marker) as { revokedBefore: number }).revokedBefore
            : null,
        };
      });
    },

    async delete(publicId, userId) {
      await guard('kv', () =>
        Promise.all([
          kv.delete(kvKeys.session(publicId)),
          kv.delete(kvKeys.userSession(userId, publicId)),
        ]),
      );
    },

    async listForUser(userId) {
      const prefix = kvKeys.userSessionPrefix(userId);
      const sessions: Array<{ id: string } & SessionRecord> = [];
      let cursor: string | undefined;
      do {
        const page = await guard('kv', () =>
          kv.list<Compact>({ prefix, ...(cursor ? { cursor } : {}) }),
        );
        for (const key of page.keys) {
          if (key.metadata)
            sessions.push({ id: key.name.slice(prefix.length), ...expand(key.metadata) });
        }
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor);
      return sessions;
    },
  };
}

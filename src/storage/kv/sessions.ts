/**
 * @module storage/kv/sessions
 * `SessionStore` on Workers KV. A record lives under `sess:<public id>`; an
 * index entry `usess:<user>:<public id>` carries the same details as KV
 * metadata so that listing a user's sessions is one `list` call. Both expire
 * with the session. Ending a session leaves a tombstone `sessend:<public id>`
 * that reads honour, so a late "last seen" write cannot revive it.
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

/** KV's bulk read takes at most 100 keys. */
const BULK_READ_LIMIT = 100;

/** Drops listed sessions that have a tombstone (an index entry a late write put back). */
async function withoutEnded<T extends { id: string }>(
  kv: KVNamespace,
  sessions: T[],
): Promise<T[]> {
  const ended = new Set<string>();
  for (let i = 0; i < sessions.length; i += BULK_READ_LIMIT) {
    const ids = sessions.slice(i, i + BULK_READ_LIMIT).map((session) => session.id);
    const found = await guard('kv', () => kv.get(ids.map(kvKeys.endedSession), 'text'));
    ids.forEach((id) => {
      if (found.get(kvKeys.endedSession(id)) != null) ended.add(id);
    });
  }
  return sessions.filter((session) => !ended.has(session.id));
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
      const endedKey = kvKeys.endedSession(publicId);
      const userKey = kvKeys.user(userId);
      return guard('kv', async () => {
        const found = await kv.get([sessionKey, endedKey, userKey], 'text');
        const session = found.get(endedKey) == null ? found.get(sessionKey) : null;
        const marker = found.get(userKey);
        return {
          record: session ? expand(JSON.parse(session) as Compact) : null,
          revokedBefore: marker
            ? (JSON.parse(marker) as { revokedBefore: number }).revokedBefore
            : null,
        };
      });
    },

    async delete(publicId, userId, ttl) {
      await guard('kv', async () => {
        await kv.put(kvKeys.endedSession(publicId), '1', { expirationTtl: kvTtl(ttl) });
        await Promise.all([
          kv.delete(kvKeys.session(publicId)),
          kv.delete(kvKeys.userSession(userId, publicId)),
        ]);
      });
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
      return withoutEnded(kv, sessions);
    },
  };
}

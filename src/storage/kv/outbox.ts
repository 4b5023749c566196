/**
 * @module storage/kv/outbox
 * The development outbox on Workers KV: each mail for an hour, under a key
 * that sorts newest first (`outbox:<inverted ms>:<random>`), so the list is
 * one KV list call and one bulk read.
 */
import { randomHex } from '../../crypto/random';
import { guard } from '../guard';
import type { OutboxMail, OutboxStore } from '../types';
import { kvKeys } from './keys';

/** How long a development mail stays readable (seconds). */
export const OUTBOX_TTL = 3600;

/** A number that grows as time goes back, padded so that keys sort by it. */
function inverted(ms: number): string {
  return (9_999_999_999_999 - Math.floor(ms)).toString().padStart(13, '0');
}

export function kvOutboxStore(kv: KVNamespace): OutboxStore {
  return {
    async put(mail) {
      const key = kvKeys.outbox(`${inverted(mail.sentAt)}:${randomHex(8)}`);
      await guard('kv', () => kv.put(key, JSON.stringify(mail), { expirationTtl: OUTBOX_TTL }));
    },

    async list(limit) {
      return guard('kv', async () => {
        const { keys } = await kv.list({ prefix: kvKeys.outboxPrefix, limit });
        if (keys.length === 0) return [];
        const values = await kv.get(
          keys.map((key) => key.name),
          'text',
        );
        return keys.flatMap((key) => {
          const value = values.get(key.name);
          return value ? [JSON.parse(value) as OutboxMail] : [];
        });
      });
    },
  };
}

/**
 * @module storage/d1/security-events
 * `SecurityEventStore` on D1: one row per event, or one counted row per key
 * and minute for frequent events (an upsert on the unique `aggregate_key`).
 */
import { and, count, desc, eq, gte, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import { guard } from '../guard';
import type { SecurityEvent, SecurityEventStore, StoredSecurityEvent } from '../types';
import { securityEvents as events, type SecurityEventRow } from './schema';

function toEvent(row: SecurityEventRow): StoredSecurityEvent {
  return {
    id: row.id,
    type: row.type,
    at: row.at,
    userId: row.userId,
    ip: row.ip,
    userAgent: row.userAgent,
    credential: row.credential,
    detail: row.detail === null ? null : (JSON.parse(row.detail) as Record<string, unknown>),
    count: row.count,
  };
}

function values(event: SecurityEvent) {
  return {
    type: event.type,
    at: event.at,
    userId: event.userId,
    ip: event.ip,
    userAgent: event.userAgent,
    credential: event.credential,
    detail: event.detail === null ? null : JSON.stringify(event.detail),
  };
}

export function d1SecurityEventStore(db: DrizzleD1Database): SecurityEventStore {
  return {
    async record(event) {
      await guard('d1', () => db.insert(events).values(values(event)).run());
    },

    async recordAggregated(event, key) {
      const minute = Math.floor(event.at / 60_000);
      const aggregateKey = `${event.type}:${key}:${minute}`;
      await guard('d1', () =>
        db
          .insert(events)
          .values({ ...values(event), aggregateKey })
          .onConflictDoUpdate({
            target: events.aggregateKey,
            set: { count: sql`${events.count} + 1`, at: event.at },
          })
          .run(),
      );
    },

    async list(query) {
      const filters: SQL[] = [];
      if (query.userId !== undefined) filters.push(eq(events.userId, query.userId));
      if (query.type !== undefined) filters.push(eq(events.type, query.type));
      if (query.since !== undefined) filters.push(gte(events.at, query.since));
      if (query.until !== undefined) filters.push(lte(events.at, query.until));
      const where = filters.length > 0 ? and(...filters) : undefined;
      const [total, rows] = await guard('d1', () =>
        db.batch([
          db.select({ n: count() }).from(events).where(where),
          db
            .select()
            .from(events)
            .where(where)
            .orderBy(desc(events.at), desc(events.id))
            .limit(query.limit)
            .offset(query.offset),
        ]),
      );
      return { count: total[0]?.n ?? 0, events: rows.map(toEvent) };
    },

    async purgeBefore(before) {
      const deleted = await guard('d1', () =>
        db.delete(events).where(lt(events.at, before)).returning({ id: events.id }),
      );
      return deleted.length;
    },
  };
}

/**
 * @module services/audit
 * Security events: each one a row in `security_events` and one JSON log line
 * (for Workers Logs and Logpush). Never a secret in either. Recording never
 * fails the use case that records: a write that fails is logged, and the
 * request goes on. Callers run it after the response (`defer`).
 */
import { describe } from '../errors';
import type { SecurityEvent } from '../storage/types';
import type { ServiceContext } from './context';

/** An event as use cases report it; `at` defaults to the clock's now. */
export interface AuditEvent {
  type: string;
  userId?: number | null;
  ip?: string | null;
  userAgent?: string | null;
  credential?: string | null;
  detail?: Readonly<Record<string, unknown>> | null;
  at?: number;
}

function complete(ctx: ServiceContext, event: AuditEvent): SecurityEvent {
  return {
    type: event.type,
    at: event.at ?? ctx.clock.now(),
    userId: event.userId ?? null,
    ip: event.ip ?? null,
    userAgent: event.userAgent?.slice(0, 512) ?? null,
    credential: event.credential ?? null,
    detail: event.detail ?? null,
  };
}

function logLine(event: SecurityEvent): void {
  const { type, at, userId, ip, credential, detail } = event;
  const line = { edgeauth_event: type, at: new Date(at).toISOString(), userId, ip, credential };
  console.log(JSON.stringify(detail ? { ...line, detail } : line));
}

export function createAuditService(ctx: ServiceContext) {
  const store = ctx.stores.securityEvents;
  return {
    /** Records one event; never throws. */
    async record(event: AuditEvent): Promise<void> {
      const stored = complete(ctx, event);
      logLine(stored);
      try {
        await store.record(stored);
      } catch (err) {
        console.error(`edgeauth: security event ${event.type} not stored: ${describe(err)}`);
      }
    },

    /** Counts a frequent event under `key`, one row per key and minute; never throws. */
    async count(event: AuditEvent, key: string): Promise<void> {
      const stored = complete(ctx, event);
      try {
        await store.recordAggregated(stored, key);
      } catch (err) {
        console.error(`edgeauth: security event ${event.type} not stored: ${describe(err)}`);
      }
    },

    /** The events, newest first, with DRF pagination's total. */
    list: store.list.bind(store),
  };
}

export type AuditService = ReturnType<typeof createAuditService>;

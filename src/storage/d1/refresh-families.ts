/**
 * @module storage/d1/refresh-families
 * `RefreshFamilyStore` on D1. Rotation is one conditional UPDATE, so D1's
 * single writer decides which of several concurrent refreshes wins.
 */
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import { guard } from '../guard';
import type { RefreshFamily, RefreshFamilyStore } from '../types';
import { refreshFamilies as families, users, type RefreshFamilyRow } from './schema';

function toFamily(row: RefreshFamilyRow): RefreshFamily {
  return { ...row };
}

/** The family's user is active and has changed no credential since the family began. */
const userStillTrusted = sql`exists (select 1 from ${users} where ${users.id} = ${families.userId}
  and ${users.isActive} = 1
  and (${users.credentialsChangedAt} is null or ${users.credentialsChangedAt} <= ${families.createdAt}))`;

export function d1RefreshFamilyStore(db: DrizzleD1Database): RefreshFamilyStore {
  return {
    async create(family) {
      const rows = await guard('d1', () =>
        db
          .insert(families)
          .values(family)
          .onConflictDoNothing({ target: families.id })
          .returning({ id: families.id }),
      );
      return rows.length === 1;
    },

    async find(id) {
      const row = await guard('d1', () =>
        db.select().from(families).where(eq(families.id, id)).get(),
      );
      return row ? toFamily(row) : null;
    },

    async rotate({ familyId, presentedJti, next, now, requireCurrent }) {
      const conditions = [
        eq(families.id, familyId),
        isNull(families.revokedAt),
        gt(families.expiresAt, now),
        userStillTrusted,
      ];
      if (requireCurrent) conditions.push(eq(families.currentJti, presentedJti));
      const [row] = await guard('d1', () =>
        db
          .update(families)
          .set({
            currentJti: next.jti,
            currentIat: next.iat,
            // A family never outlives REFRESH_FAMILY_MAX_LIFETIME, whatever the token lifetime.
            currentExp: sql`min(${next.exp}, ${families.expiresAt} / 1000)`,
            previousJti: presentedJti,
            rotatedAt: now,
          })
          .where(and(...conditions))
          .returning(),
      );
      return row ? toFamily(row) : null;
    },

    async revoke(id, reason, now) {
      const rows = await guard('d1', () =>
        db
          .update(families)
          .set({ revokedAt: now, revokedReason: reason })
          .where(and(eq(families.id, id), isNull(families.revokedAt)))
          .returning({ id: families.id }),
      );
      return rows.length === 1;
    },

    async revokeAllForUser(userId, reason, now) {
      const rows = await guard('d1', () =>
        db
          .update(families)
          .set({ revokedAt: now, revokedReason: reason })
          .where(and(eq(families.userId, userId), isNull(families.revokedAt)))
          .returning({ id: families.id }),
      );
      return rows.length;
    },
  };
}

/**
 * @module storage/d1/one-time-keys
 * The single-use keys of the account flows on D1: password-reset tokens and
 * email confirmation keys, stored as digests. Using one is one conditional
 * UPDATE ... RETURNING, so of any number of concurrent uses at most one wins.
 */
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import { guard } from '../guard';
import type {
  EmailConfirmation,
  EmailConfirmationStore,
  PasswordReset,
  PasswordResetStore,
} from '../types';
import { emailConfirmations, passwordResets } from './schema';

/** The reset token `digest` while it can be used: unused and unexpired at `now`. */
function usable(digest: string, now: number) {
  return and(
    eq(passwordResets.digest, digest),
    isNull(passwordResets.usedAt),
    gt(passwordResets.expiresAt, now),
  );
}

export function d1PasswordResetStore(db: DrizzleD1Database): PasswordResetStore {
  return {
    async replace(reset) {
      await guard('d1', () =>
        db.batch([
          db.delete(passwordResets).where(eq(passwordResets.userId, reset.userId)),
          db.insert(passwordResets).values({ ...reset, usedAt: null }),
        ]),
      );
    },

    async consume(digest, now) {
      const rows = await guard('d1', () =>
        db.update(passwordResets).set({ usedAt: now }).where(usable(digest, now)).returning(),
      );
      const row = rows[0];
      if (!row) return null;
      const { usedAt: _usedAt, ...reset } = row;
      return reset satisfies PasswordReset;
    },

    async deleteForUser(userId) {
      await guard('d1', () =>
        db.delete(passwordResets).where(eq(passwordResets.userId, userId)).run(),
      );
    },

    async find(digest, now) {
      const rows = await guard('d1', () =>
        db.select().from(passwordResets).where(usable(digest, now)).all(),
      );
      const row = rows[0];
      if (!row) return null;
      const { usedAt: _usedAt, ...reset } = row;
      return reset satisfies PasswordReset;
    },
  };
}

export function d1EmailConfirmationStore(db: DrizzleD1Database): EmailConfirmationStore {
  return {
    async create(confirmation) {
      await guard('d1', () =>
        db
          .insert(emailConfirmations)
          .values({ ...confirmation, usedAt: null })
          .run(),
      );
    },

    async consume(digest, now) {
      const rows = await guard('d1', () =>
        db
          .update(emailConfirmations)
          .set({ usedAt: now })
          .where(
            and(
              eq(emailConfirmations.digest, digest),
              isNull(emailConfirmations.usedAt),
              gt(emailConfirmations.expiresAt, now),
            ),
          )
          .returning(),
      );
      const row = rows[0];
      if (!row) return null;
      const { usedAt: _usedAt, ...confirmation } = row;
      return { ...confirmation, purpose: confirmation.purpose as EmailConfirmation['purpose'] };
    },

    async deleteForUser(userId, purpose) {
      const byUser = eq(emailConfirmations.userId, userId);
      const where = purpose ? and(byUser, eq(emailConfirmations.purpose, purpose)) : byUser;
      await guard('d1', () => db.delete(emailConfirmations).where(where).run());
    },
  };
}

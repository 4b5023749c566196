/**
 * @module storage/d1/users
 * `UserStore` on D1 through drizzle. Usernames are found by their key
 * (`usernameKey`), and also by the legacy key of edgeauth 0.1.0 until
 * `npm run rekey-usernames` has rewritten the stored keys.
 */
import { and, asc, count, eq, ne, or, sql } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import type { SQLiteUpdateSetSource } from 'drizzle-orm/sqlite-core';
import { StorageUnavailableError } from '../../errors';
import { guard, isUniqueViolation, once } from '../guard';
import { UsernameTakenError, type User, type UserStore } from '../types';
import { normalizeUsername, usernameKey, usernameLookupKeys } from '../../validation/username';
import { users, type UserRow } from './schema';
import { searchCondition } from './user-search';

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    passwordHash: row.password,
    isActive: row.isActive,
    isStaff: row.isStaff,
    isSuperuser: row.isSuperuser,
    dateJoined: row.dateJoined,
    lastLogin: row.lastLogin,
    credentialsChangedAt: row.credentialsChangedAt,
    emailVerified: row.emailVerified,
  };
}

/** Runs a write whose UNIQUE failure means the username is taken. */
async function uniqueUsername<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await guard('d1', operation);
  } catch (err) {
    if (err instanceof StorageUnavailableError && isUniqueViolation(err.cause)) {
      throw new UsernameTakenError();
    }
    throw err;
  }
}

/**
 * The row a username reaches when its two keys find two rows (a collision
 * under case folding that the re-key command reports): the row stored with
 * exactly this username, else the one its legacy key finds, which is where
 * this username logged in before the upgrade.
 */
function pick(rows: UserRow[], username: string, legacy: string): UserRow | undefined {
  if (rows.length < 2) return rows[0];
  const given = normalizeUsername(username);
  return (
    rows.find((row) => row.username === given) ??
    rows.find((row) => row.usernameKey === legacy) ??
    rows[0]
  );
}

export function d1UserStore(db: DrizzleD1Database): UserStore {
  const byId = (id: number) => eq(users.id, id);
  const byKeys = (key: string, legacy: string) =>
    or(eq(users.usernameKey, key), eq(users.usernameKey, legacy));
  // The reads on the authentication path are prepared once, on first use:
  // drizzle then skips building the same SQL on every request (bench/RESULTS.md).
  const selectById = once(() =>
    db
      .select()
      .from(users)
      .where(eq(users.id, sql.placeholder('id')))
      .prepare(),
  );
  const selectByKeys = once(() =>
    db
      .select()
      .from(users)
      .where(
        or(
          eq(users.usernameKey, sql.placeholder('key')),
          eq(users.usernameKey, sql.placeholder('legacy')),
        ),
      )
      .prepare(),
  );
  /**
   * The UNIQUE index compares current keys only; a row not re-keyed yet holds
   * its legacy key, so look for it by both keys before a write (`self` is the
   * account being renamed). Only 0.1.0 writes legacy keys, so this read and
   * the write race only while both versions run; the re-key reports any pair
   * that slips through.
   */
  async function refuseTaken(username: string, self?: number): Promise<void> {
    const [key, legacy] = usernameLookupKeys(username);
    if (key === legacy) return; // the index covers both
    const where =
      self === undefined ? byKeys(key, legacy) : and(byKeys(key, legacy), ne(users.id, self));
    const taken = await guard('d1', () =>
      db.select({ id: users.id }).from(users).where(where).limit(1).all(),
    );
    if (taken.length > 0) throw new UsernameTakenError();
  }
  return {
    async create(user, now) {
      await refuseTaken(user.username);
      const [row] = await uniqueUsername(() =>
        db
          .insert(users)
          .values({
            username: user.username,
            usernameKey: usernameKey(user.username),
            email: user.email,
            password: user.passwordHash,
            isActive: user.isActive ?? true,
            isStaff: user.isStaff ?? false,
            isSuperuser: user.isSuperuser ?? false,
            dateJoined: now,
          })
          .returning(),
      );
      return toUser(row!);
    },

    async findById(id) {
      const row = await guard('d1', () => selectById().get({ id }));
      return row ? toUser(row) : null;
    },

    async findByUsername(username) {
      const [key, legacy] = usernameLookupKeys(username);
      const rows = await guard('d1', () => selectByKeys().all({ key, legacy }));
      const row = pick(rows, username, legacy);
      return row ? toUser(row) : null;
    },

    async updateProfile(id, changes) {
      const values: SQLiteUpdateSetSource<typeof users> = {};
      if (changes.email !== undefined) {
        values.email = changes.email;
        // Evaluated against the row as it was: only another address loses the confirmation.
        values.emailVerified = sql`CASE WHEN ${users.email} = ${changes.email} THEN ${users.emailVerified} ELSE 0 END`;
      }
      if (changes.username !== undefined) {
        await refuseTaken(changes.username, id);
        values.username = changes.username;
        values.usernameKey = usernameKey(changes.username);
      }
      if (Object.keys(values).length === 0) return this.findById(id);
      const [row] = await uniqueUsername(() =>
        db.update(users).set(values).where(byId(id)).returning(),
      );
      return row ? toUser(row) : null;
    },

    async replacePasswordHash(id, passwordHash) {
      await guard('d1', () =>
        db.update(users).set({ password: passwordHash }).where(byId(id)).run(),
      );
    },

    async recordLogin(id, at) {
      await guard('d1', () => db.update(users).set({ lastLogin: at }).where(byId(id)).run());
    },

    async markCredentialsChanged(id, at) {
      await guard('d1', () =>
        db.update(users).set({ credentialsChangedAt: at }).where(byId(id)).run(),
      );
    },

    async setActive(id, active) {
      await guard('d1', () => db.update(users).set({ isActive: active }).where(byId(id)).run());
    },

    async ping() {
      await guard('d1', () => db.select({ id: users.id }).from(users).limit(1).all());
    },

    // Password change and account deletion (issue 12).
    async changePassword(id, { from, to, at }) {
      const changed = await guard('d1', () =>
        db
          .update(users)
          .set({ password: to, credentialsChangedAt: at })
          .where(and(byId(id), eq(users.password, from)))
          .returning({ id: users.id }),
      );
      return changed.length > 0;
    },

    // --- Administration (the admin API) ---
    async list(query) {
      const where = searchCondition(query.search);
      const [total, rows] = await guard('d1', () =>
        db.batch([
          db.select({ n: count() }).from(users).where(where),
          db
            .select()
            .from(users)
            .where(where)
            .orderBy(asc(users.id))
            .limit(query.limit)
            .offset(query.offset),
        ]),
      );
      return { count: total[0]?.n ?? 0, users: rows.map(toUser) };
    },

    async count(search) {
      const where = searchCondition(search);
      const [total] = await guard('d1', () =>
        db.select({ n: count() }).from(users).where(where).all(),
      );
      return total?.n ?? 0;
    },

    async adminUpdate(id, changes) {
      const values: Partial<typeof users.$inferInsert> = {};
      // A new address is not verified yet, whoever set it.
      if (changes.email !== undefined)
        Object.assign(values, { email: changes.email, emailVerified: false });
      if (changes.isStaff !== undefined) values.isStaff = changes.isStaff;
      if (changes.isActive) values.isActive = true;
      if (Object.keys(values).length === 0) return this.findById(id);
      const [row] = await guard('d1', () =>
        db.update(users).set(values).where(byId(id)).returning(),
      );
      return row ? toUser(row) : null;
    },

    async delete(id) {
      const deleted = await guard('d1', () =>
        db.delete(users).where(byId(id)).returning({ id: users.id }),
      );
      return deleted.length > 0;
    },

    // Email verification and email change (issue 12).
    async findByEmail(email, limit) {
      const rows = await guard('d1', () =>
        db.select().from(users).where(eq(users.email, email)).orderBy(users.id).limit(limit).all(),
      );
      return rows.map(toUser);
    },

    async setEmailVerified(id, email) {
      const rows = await guard('d1', () =>
        db
          .update(users)
          .set({ emailVerified: true })
          .where(and(byId(id), eq(users.email, email)))
          .returning({ id: users.id }),
      );
      return rows.length > 0;
    },

    async changeEmail(id, email) {
      const [row] = await guard('d1', () =>
        db.update(users).set({ email, emailVerified: true }).where(byId(id)).returning(),
      );
      return row ? toUser(row) : null;
    },

    // Password reset (issue 12).
    async findActiveByEmail(email, limit) {
      // lower() folds ASCII only, as Django's iexact (LIKE) does on SQLite. It
      // cannot use users_email_idx: this runs after the response, never on it.
      const rows = await guard('d1', () =>
        db
          .select()
          .from(users)
          .where(and(sql`lower(${users.email}) = lower(${email})`, eq(users.isActive, true)))
          .orderBy(users.id)
          .limit(limit)
          .all(),
      );
      return rows.map(toUser);
    },

    async setPasswordIfUnchanged(id, expected, passwordHash) {
      const rows = await guard('d1', () =>
        db
          .update(users)
          .set({ password: passwordHash })
          .where(and(byId(id), eq(users.password, expected)))
          .returning({ id: users.id }),
      );
      return rows.length === 1;
    },
  };
}

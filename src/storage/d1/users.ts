/**
 * @module storage/d1/users
 * `UserStore` on D1 through drizzle.
 */
import { eq, sql } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import { StorageUnavailableError } from '../../errors';
import { guard, isUniqueViolation, once } from '../guard';
import { UsernameTakenError, type User, type UserStore } from '../types';
import { usernameKey } from '../../validation/username';
import { users, type UserRow } from './schema';

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

export function d1UserStore(db: DrizzleD1Database): UserStore {
  const byId = (id: number) => eq(users.id, id);
  // The reads on the authentication path are prepared once, on first use:
  // drizzle then skips building the same SQL on every request (bench/RESULTS.md).
  const selectById = once(() =>
    db
      .select()
      .from(users)
      .where(eq(users.id, sql.placeholder('id')))
      .prepare(),
  );
  const selectByKey = once(() =>
    db
      .select()
      .from(users)
      .where(eq(users.usernameKey, sql.placeholder('key')))
      .prepare(),
  );
  return {
    async create(user, now) {
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
      const key = usernameKey(username);
      const row = await guard('d1', () => selectByKey().get({ key }));
      return row ? toUser(row) : null;
    },

    async updateProfile(id, changes) {
      const values: Partial<typeof users.$inferInsert> = {};
      if (changes.email !== undefined) values.email = changes.email;
      if (changes.username !== undefined) {
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
  };
}

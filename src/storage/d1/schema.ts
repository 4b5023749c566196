/**
 * @module storage/d1/schema
 * The D1 tables, as drizzle `sqlite-core` definitions. `npm run db:generate`
 * (drizzle-kit) turns changes here into SQL under `migrations/`; CI fails
 * when the two disagree. Times are Unix epoch milliseconds.
 */
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** As entered, after Unicode NFKC normalisation (Django's `normalize_username`). */
    username: text('username').notNull(),
    /** `username` lower-cased: makes usernames unique and logins case-insensitive. */
    usernameKey: text('username_key').notNull().unique(),
    email: text('email').notNull().default(''),
    /** argon2id PHC string. */
    password: text('password').notNull(),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
    isStaff: integer('is_staff', { mode: 'boolean' }).notNull().default(false),
    isSuperuser: integer('is_superuser', { mode: 'boolean' }).notNull().default(false),
    dateJoined: integer('date_joined').notNull(),
    lastLogin: integer('last_login'),
    /**
     * Every credential issued before this moment is dead: set by password
     * changes, deactivation and "log out everywhere".
     */
    credentialsChangedAt: integer('credentials_changed_at'),
  },
  (table) => [index('users_email_idx').on(table.email)],
);

export type UserRow = typeof users.$inferSelect;

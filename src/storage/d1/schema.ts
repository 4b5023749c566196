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
    /**
     * `usernameKey(username)`: NFKC, full Unicode case folding, NFKC. Makes
     * usernames unique and logins case-insensitive. Rows written by 0.1.0 hold
     * NFKC + `toLowerCase()` until `npm run rekey-usernames` rewrites them.
     */
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

/**
 * One row per login through `/api/token/`: the refresh-token family. Only
 * the current refresh token (and, for a short grace, the one before it) can
 * be rotated; presenting any other token of the family revokes it.
 */
export const refreshFamilies = sqliteTable(
  'refresh_families',
  {
    /** 12 hex digits of the creation time in ms, then 20 random hex digits. */
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    /** Absolute end of the login (`REFRESH_FAMILY_MAX_LIFETIME`). */
    expiresAt: integer('expires_at').notNull(),
    currentJti: text('current_jti').notNull(),
    /** `iat` and `exp` (seconds) of the current token, to re-issue it within the grace window. */
    currentIat: integer('current_iat').notNull(),
    currentExp: integer('current_exp').notNull(),
    previousJti: text('previous_jti'),
    rotatedAt: integer('rotated_at'),
    revokedAt: integer('revoked_at'),
    /** `reuse`, `blacklist`, `logout` or `logoutall`. */
    revokedReason: text('revoked_reason'),
  },
  (table) => [
    index('refresh_families_user_idx').on(table.userId),
    index('refresh_families_expires_idx').on(table.expiresAt),
  ],
);

export type RefreshFamilyRow = typeof refreshFamilies.$inferSelect;

/**
 * Opaque API tokens (DRF's `Token`, knox-style): only a SHA-256 digest of
 * each token is stored; the plaintext is shown once, at creation.
 */
export const apiTokens = sqliteTable(
  'api_tokens',
  {
    /** Public identifier, part of the token (`eat_<id>_...`); `drf...` for imported DRF keys. */
    id: text('id').primaryKey(),
    /** SHA-256 of the whole token, hex. */
    digest: text('digest').notNull().unique(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    createdAt: integer('created_at').notNull(),
    /** Null: never expires. */
    expiresAt: integer('expires_at'),
    lastUsedAt: integer('last_used_at'),
    /** JSON array of scope names; null: unrestricted. */
    scopes: text('scopes'),
    /** `api-token-auth`, `api` or `import`. */
    createdVia: text('created_via').notNull(),
  },
  (table) => [
    index('api_tokens_user_idx').on(table.userId),
    index('api_tokens_expires_idx').on(table.expiresAt),
  ],
);

export type ApiTokenRow = typeof apiTokens.$inferSelect;

/**
 * @module storage/d1/schema
 * The D1 tables, as drizzle `sqlite-core` definitions. `npm run db:generate`
 * (drizzle-kit) turns changes here into SQL under `migrations/`; CI fails
 * when the two disagree. Times are Unix epoch milliseconds.
 */
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

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
    /** The address in `email` was confirmed through a mail sent to it (allauth's `verified`). */
    emailVerified: integer('email_verified', { mode: 'boolean' }).notNull().default(false),
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

/**
 * What happened to accounts, for users, administrators and alerts: logins,
 * logouts, password changes, mail failures, admin actions. Never a secret.
 * A frequent event (a throttled request) is one row per key and minute,
 * counted, under its `aggregate_key`.
 */
export const securityEvents = sqliteTable(
  'security_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    /** `password_changed`, `login_failed`, `mail_failed`, ... (README, Security events). */
    type: text('type').notNull(),
    /** Null for events about no known account. */
    userId: integer('user_id'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    /** `jwt`, `token`, `session`, `basic`, or null. */
    credential: text('credential'),
    /** A small JSON object. */
    detail: text('detail'),
    /** How many times it happened (aggregated rows only count above 1). */
    count: integer('count').notNull().default(1),
    /** `<type>:<key>:<minute>` for aggregated events; null otherwise. */
    aggregateKey: text('aggregate_key'),
  },
  (table) => [
    index('security_events_user_idx').on(table.userId, table.at),
    index('security_events_type_idx').on(table.type, table.at),
    index('security_events_at_idx').on(table.at),
    uniqueIndex('security_events_aggregate_idx').on(table.aggregateKey),
  ],
);

export type SecurityEventRow = typeof securityEvents.$inferSelect;

/**
 * Password-reset tokens: only a SHA-256 digest is stored. Single use; a newer
 * reset replaces the user's older ones; `fingerprint` is a digest of what the
 * token must outlive unchanged (the password hash, the email, the last login),
 * so a password change, an email change or a login voids it, as Django's
 * token does.
 */
export const passwordResets = sqliteTable(
  'password_resets',
  {
    digest: text('digest').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    fingerprint: text('fingerprint').notNull(),
    usedAt: integer('used_at'),
  },
  (table) => [
    index('password_resets_user_idx').on(table.userId),
    index('password_resets_expires_idx').on(table.expiresAt),
  ],
);

export type PasswordResetRow = typeof passwordResets.$inferSelect;

/**
 * Email confirmation keys (allauth's `EmailConfirmation`): a digest of the
 * key, the address it confirms (the account's own, or the new address of an
 * email change, which replaces the old one only when confirmed).
 */
export const emailConfirmations = sqliteTable(
  'email_confirmations',
  {
    digest: text('digest').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    /** `verify` (the account's address) or `change` (a new address). */
    purpose: text('purpose').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
  },
  (table) => [
    index('email_confirmations_user_idx').on(table.userId),
    index('email_confirmations_expires_idx').on(table.expiresAt),
  ],
);

export type EmailConfirmationRow = typeof emailConfirmations.$inferSelect;

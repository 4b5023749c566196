/**
 * @module storage/types
 * The narrow storage interfaces the services use, method by method. The
 * Cloudflare implementations live in `d1/` and `kv/`; a test or another
 * runtime can hand the app different ones. Every method throws
 * `StorageUnavailableError` when its store cannot be used, and nothing else
 * except the documented domain errors.
 */

/** A user account. Times are epoch milliseconds. */
export interface User {
  id: number;
  username: string;
  email: string;
  /** argon2id PHC string. */
  passwordHash: string;
  isActive: boolean;
  isStaff: boolean;
  isSuperuser: boolean;
  dateJoined: number;
  lastLogin: number | null;
  /** Credentials issued before this moment are revoked (null: never moved). */
  credentialsChangedAt: number | null;
  /** The address in `email` was confirmed through a mail sent to it. */
  emailVerified: boolean;
}

export interface NewUser {
  username: string;
  email: string;
  passwordHash: string;
  isActive?: boolean;
  isStaff?: boolean;
  isSuperuser?: boolean;
}

/** The username (compared case-insensitively) belongs to another account. */
export class UsernameTakenError extends Error {
  constructor() {
    super('username taken');
    this.name = 'UsernameTakenError';
  }
}

export interface UserStore {
  /** @throws UsernameTakenError */
  create(user: NewUser, now: number): Promise<User>;
  findById(id: number): Promise<User | null>;
  /**
   * By the case-folded key (`usernameKey`), and by the legacy lower-cased
   * key for rows `npm run rekey-usernames` has not rewritten yet.
   */
  findByUsername(username: string): Promise<User | null>;
  /**
   * A new `email` (another address than the stored one) is unverified.
   * @throws UsernameTakenError; resolves null when the user does not exist.
   */
  updateProfile(id: number, changes: { username?: string; email?: string }): Promise<User | null>;
  /** Replaces the stored hash of the same password (a re-hash); revokes nothing. */
  replacePasswordHash(id: number, passwordHash: string): Promise<void>;
  recordLogin(id: number, at: number): Promise<void>;
  /** Moves the revoked-before moment: every credential issued earlier dies. */
  markCredentialsChanged(id: number, at: number): Promise<void>;
  setActive(id: number, active: boolean): Promise<void>;
  /** One cheap read, for the health check. */
  ping(): Promise<void>;

  // Password change and account deletion (issue 12).
  /**
   * Stores a new password hash and moves the revoked-before moment to `at`,
   * in one conditional statement: only while the stored hash is still
   * `from`, so of two concurrent changes from the same password one wins.
   * False when the hash changed meanwhile or the user does not exist.
   */
  changePassword(id: number, change: { from: string; to: string; at: number }): Promise<boolean>;
  /**
   * Deletes the account. Its refresh families, opaque tokens, reset and
   * confirmation keys go with it (`ON DELETE CASCADE`); security events
   * keep its id. False when there was no such account.
   */
  delete(id: number): Promise<boolean>;

  // --- Administration (the admin API) ---
  /**
   * The users matching `search` (each term found in the username or the
   * email), by id, with the total matching count for DRF's pagination.
   */
  list(query: UserQuery): Promise<{ count: number; users: User[] }>;
  /** How many users match `search` (for `?page=last`). */
  count(search: readonly string[]): Promise<number>;
  /**
   * Changes what an administrator may change; an email change also clears
   * `emailVerified`. Resolves null when the user does not exist.
   */
  adminUpdate(id: number, changes: AdminChanges): Promise<User | null>;

  // Email verification and email change (issue 12).
  /** Accounts whose address is exactly `email` (addresses are not unique), at most `limit`. */
  findByEmail(email: string, limit: number): Promise<User[]>;
  /**
   * Marks the address confirmed, only while `email` is still the account's
   * address (a key sent to an address the account has since left confirms
   * nothing); false when it is not, or the account does not exist.
   */
  setEmailVerified(id: number, email: string): Promise<boolean>;
  /** Applies a confirmed new address (so verified); null when the account does not exist. */
  changeEmail(id: number, email: string): Promise<User | null>;

  // Password reset (issue 12).
  /**
   * Active accounts whose email equals `email` ignoring ASCII case (Django's
   * `email__iexact` on SQLite), oldest first, at most `limit`.
   */
  findActiveByEmail(email: string, limit: number): Promise<User[]>;
  /**
   * Sets a new password hash only while the stored one is still `expected`,
   * in one statement; false (and no change) when it was changed meanwhile.
   */
  setPasswordIfUnchanged(id: number, expected: string, passwordHash: string): Promise<boolean>;
}

export interface UserQuery {
  /**
   * Search terms (DRF's `SearchFilter`): a user matches when every term is
   * in its username or email, case-insensitively; none: every user.
   */
  search: readonly string[];
  limit: number;
  offset: number;
}

/** What the admin API writes. Deactivation is not here: it goes through the revocation service. */
export interface AdminChanges {
  email?: string;
  isStaff?: boolean;
  /** Only `true` (reactivation). */
  isActive?: true;
}

/** A login's refresh-token family (see `refresh_families`). Times in ms unless noted. */
export interface RefreshFamily {
  id: string;
  userId: number;
  createdAt: number;
  expiresAt: number;
  currentJti: string;
  /** Seconds, as in the token. */
  currentIat: number;
  currentExp: number;
  previousJti: string | null;
  rotatedAt: number | null;
  revokedAt: number | null;
  revokedReason: string | null;
}

export type NewRefreshFamily = Omit<
  RefreshFamily,
  'previousJti' | 'rotatedAt' | 'revokedAt' | 'revokedReason'
> & { previousJti?: string; rotatedAt?: number };

export interface Rotation {
  familyId: string;
  /** The refresh token presented; it must be the family's current one. */
  presentedJti: string;
  next: { jti: string; iat: number; exp: number };
  now: number;
  /** False when old refresh tokens stay valid (`BLACKLIST_AFTER_ROTATION` off). */
  requireCurrent: boolean;
}

export interface RefreshFamilyStore {
  /** Inserts the family; false (and no change) when its id exists already. */
  create(family: NewRefreshFamily): Promise<boolean>;
  find(id: string): Promise<RefreshFamily | null>;
  /**
   * Rotates in one conditional statement: only when the family is live and
   * unexpired, the presented token is its current one, and its user is active
   * with no credential change since the family began. Of any number of
   * concurrent calls with the same token, exactly one gets the family back;
   * the others get null.
   */
  rotate(rotation: Rotation): Promise<RefreshFamily | null>;
  /** Revokes a live family; false when it was already revoked or does not exist. */
  revoke(id: string, reason: string, now: number): Promise<boolean>;
  /** Revokes every live family of the user; resolves how many. */
  revokeAllForUser(userId: number, reason: string, now: number): Promise<number>;
}

/** An opaque API token as stored: a digest, never the token. Times in ms. */
export interface ApiToken {
  id: string;
  digest: string;
  userId: number;
  name: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
  /** Null: unrestricted. */
  scopes: readonly string[] | null;
  /** `api-token-auth`, `api` or `import`. */
  createdVia: string;
}

export interface ApiTokenStore {
  /**
   * Inserts the token unless the user already has `limit` live ones, in one
   * statement (so concurrent creations cannot overshoot); false when refused.
   */
  createWithinLimit(token: ApiToken, limit: number, now: number): Promise<boolean>;
  /** The token and its owner, in one query. */
  findWithUser(
    by: { id: string } | { digest: string },
  ): Promise<{ token: ApiToken; user: User } | null>;
  listForUser(userId: number): Promise<ApiToken[]>;
  /** Records use, and a new expiry for sliding tokens (undefined: unchanged). */
  touch(id: string, lastUsedAt: number, expiresAt?: number): Promise<void>;
  /** Deletes one of the user's tokens; false when the user has no token with that id. */
  delete(userId: number, id: string): Promise<boolean>;
  deleteAllForUser(userId: number): Promise<number>;
  /** Deletes the user's least recently used token created via `createdVia`; false if none. */
  evictLeastRecentlyUsed(userId: number, createdVia: string): Promise<boolean>;
}

/** A browser session (KV). Times in ms. */
export interface SessionRecord {
  userId: number;
  createdAt: number;
  lastSeenAt: number;
  /** Absolute end (`SESSION_COOKIE_AGE` after login). */
  expiresAt: number;
  userAgent: string | null;
  /** From `CF-Connecting-IP` only. */
  ip: string | null;
}

/**
 * Sessions in KV, under a key derived from the session id (its digest): the
 * public id, which the session list shows and revocation takes.
 */
export interface SessionStore {
  /** Writes the record and the user's index entry, expiring after `ttl` seconds. */
  put(publicId: string, record: SessionRecord, ttl: number): Promise<void>;
  /** One bulk read: the record (null once ended) and the user's revoked-before marker. */
  read(
    publicId: string,
    userId: number,
  ): Promise<{ record: SessionRecord | null; revokedBefore: number | null }>;
  /**
   * Ends a session: deletes the record and its index entry, and leaves a
   * tombstone for `ttl` seconds that every later read honours, so that a
   * "last seen" write already under way (or made in a location that has not
   * seen the deletion yet) cannot bring the session back.
   */
  delete(publicId: string, userId: number, ttl: number): Promise<void>;
  /** The user's sessions from the index, less ended ones (eventually consistent, like all of KV). */
  listForUser(userId: number): Promise<Array<{ id: string } & SessionRecord>>;
}

/** Housekeeping the scheduled handler runs, never the request path. */
export interface Purger {
  /**
   * Deletes expired tokens, refresh families whose every token has expired,
   * and expired reset and confirmation keys; resolves counts.
   */
  purgeExpired(now: number): Promise<{
    apiTokens: number;
    refreshFamilies: number;
    passwordResets: number;
    emailConfirmations: number;
  }>;
}

/** What the revocation list says about one credential. */
export interface RevocationState {
  /** This token (by `jti`) was revoked. */
  tokenRevoked: boolean;
  /** The login it belongs to (refresh family or session) was revoked. */
  familyRevoked: boolean;
  /** Every credential the user got before this moment (ms) is revoked. */
  revokedBefore: number | null;
}

/**
 * The revocation list in KV. Entries expire with what they revoke. KV is
 * eventually consistent: other locations see a revocation within about 60 s.
 */
export interface RevocationList {
  /** One bulk read of everything that can revoke a credential. */
  check(query: {
    jti: string;
    family?: string | undefined;
    userId: number;
  }): Promise<RevocationState>;
  /** Revokes one token until `expiresAt` (seconds). */
  revokeToken(jti: string, expiresAt: number, now: number): Promise<void>;
  /** Revokes every access token of a family for `ttl` seconds (their longest remaining life). */
  revokeFamily(family: string, ttl: number): Promise<void>;
  /** Revokes everything the user was issued before `at` (ms), remembered for `ttl` seconds. */
  setRevokedBefore(userId: number, at: number, ttl: number): Promise<void>;
}

/** One security event (the `security_events` table). Never a secret. Times in ms. */
export interface SecurityEvent {
  type: string;
  at: number;
  userId: number | null;
  ip: string | null;
  userAgent: string | null;
  /** `jwt`, `token`, `session`, `basic`, or null. */
  credential: string | null;
  detail: Readonly<Record<string, unknown>> | null;
}

export interface StoredSecurityEvent extends SecurityEvent {
  id: number;
  count: number;
}

export interface SecurityEventQuery {
  userId?: number;
  type?: string;
  /** Inclusive bounds, ms. */
  since?: number;
  until?: number;
  limit: number;
  offset: number;
}

export interface SecurityEventStore {
  record(event: SecurityEvent): Promise<void>;
  /**
   * Counts an event under `key` (one row per key and minute, `count`
   * incremented): for what happens too often to write a row each time.
   */
  recordAggregated(event: SecurityEvent, key: string): Promise<void>;
  /** Newest first, with the total matching count (for DRF's pagination). */
  list(query: SecurityEventQuery): Promise<{ count: number; events: StoredSecurityEvent[] }>;
  /** Deletes events older than `before` (ms); resolves how many. */
  purgeBefore(before: number): Promise<number>;
}

/** A password-reset token as stored: its digest, never the token. Times in ms. */
export interface PasswordReset {
  digest: string;
  userId: number;
  createdAt: number;
  expiresAt: number;
  /** A digest of what must stay unchanged for the token to be good (hash, email, last login). */
  fingerprint: string;
}

export interface PasswordResetStore {
  /** Stores the token and deletes the user's older ones (a newer reset voids them). */
  replace(reset: PasswordReset): Promise<void>;
  /**
   * Marks the token used and returns it, in one conditional statement: only
   * when it exists, is unused and unexpired at `now`. Of any number of
   * concurrent calls, at most one gets it.
   */
  consume(digest: string, now: number): Promise<PasswordReset | null>;
  /** Deletes every token of the user (after a login, a password or email change). */
  deleteForUser(userId: number): Promise<void>;
  /** The token when it exists, is unused and unexpired at `now`; changes nothing. */
  find(digest: string, now: number): Promise<PasswordReset | null>;
}

/** An email confirmation key as stored (allauth's `EmailConfirmation`). Times in ms. */
export interface EmailConfirmation {
  digest: string;
  userId: number;
  email: string;
  /** `verify`: the account's own address; `change`: a new address, applied when confirmed. */
  purpose: 'verify' | 'change';
  createdAt: number;
  expiresAt: number;
}

export interface EmailConfirmationStore {
  create(confirmation: EmailConfirmation): Promise<void>;
  /** As `PasswordResetStore.consume`: one conditional statement, single use. */
  consume(digest: string, now: number): Promise<EmailConfirmation | null>;
  deleteForUser(userId: number, purpose?: EmailConfirmation['purpose']): Promise<void>;
}

/** A mail kept in the development outbox. `sentAt` in ms. */
export interface OutboxMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  sentAt: number;
}

/** The development outbox (KV): each mail for an hour. */
export interface OutboxStore {
  put(mail: OutboxMail): Promise<void>;
  /** Newest first, at most `limit`. */
  list(limit: number): Promise<OutboxMail[]>;
}

/** Every store the app uses. */
export interface Stores {
  users: UserStore;
  refreshFamilies: RefreshFamilyStore;
  apiTokens: ApiTokenStore;
  revocations: RevocationList;
  sessions: SessionStore;
  securityEvents: SecurityEventStore;
  passwordResets: PasswordResetStore;
  emailConfirmations: EmailConfirmationStore;
  outbox: OutboxStore;
  purger: Purger;
  /** Reachability checks by name (`d1`, `kv`) for the health route. */
  probes: Readonly<Record<string, () => Promise<void>>>;
}

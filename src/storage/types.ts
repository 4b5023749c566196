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
  /** Case-insensitive (see `usernameKey`). */
  findByUsername(username: string): Promise<User | null>;
  /** @throws UsernameTakenError; resolves null when the user does not exist. */
  updateProfile(id: number, changes: { username?: string; email?: string }): Promise<User | null>;
  /** Replaces the stored hash of the same password (a re-hash); revokes nothing. */
  replacePasswordHash(id: number, passwordHash: string): Promise<void>;
  recordLogin(id: number, at: number): Promise<void>;
  /** One cheap read, for the health check. */
  ping(): Promise<void>;
}

/** Every store the app uses. */
export interface Stores {
  users: UserStore;
  /** Reachability checks by name (`d1`, `kv_sessions`, ...) for the health route. */
  probes: Readonly<Record<string, () => Promise<void>>>;
}

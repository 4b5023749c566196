/**
 * @module scripts/lib/username-sql
 * SQL that finds a user by username from the scripts, the way the Worker's
 * `findByUsername` does: by the case-folded key, or by the legacy key for
 * rows `rekey-usernames` has not rewritten yet, preferring the row stored
 * with exactly this username, then the legacy key's row. Free of Node APIs
 * so the tests run it inside workerd.
 */
import { normalizeUsername, usernameLookupKeys } from '../../src/validation/username';
import { sqlString } from './superuser-sql';

/** A scalar subquery: the id of the user `username` reaches, or NULL. */
export function userIdByUsernameSql(username: string): string {
  const [key, legacy] = usernameLookupKeys(username).map(sqlString);
  return (
    `(SELECT id FROM users WHERE username_key IN (${key}, ${legacy}) ` +
    `ORDER BY username = ${sqlString(normalizeUsername(username))} DESC, ` +
    `username_key = ${legacy} DESC LIMIT 1)`
  );
}

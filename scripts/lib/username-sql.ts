/**
 * @module scripts/lib/username-sql
 * SQL that finds a user by username from the scripts: through the
 * case-folded key, or the legacy key for rows `rekey-usernames` has not
 * rewritten yet (both indexed), then by the exact stored name. Free of Node
 * APIs so the tests run it inside workerd.
 */
import { usernameLookupKeys } from '../../src/validation/username';
import { sqlString } from './superuser-sql';

/**
 * A scalar subquery: the id of the user stored with exactly this username,
 * or NULL. For imports, where the name alone decides whose account a
 * credential opens: Django's usernames are case-sensitive and compared as
 * stored (already NFKC when Django made them), so `ALICE` or `ａｌｉｃｅ` there
 * may be another person than `alice` here. The key narrows the search to the
 * index; the exact name decides.
 */
export function userIdByExactUsernameSql(username: string): string {
  const [key, legacy] = usernameLookupKeys(username).map(sqlString);
  return (
    `(SELECT id FROM users WHERE username_key IN (${key}, ${legacy}) ` +
    `AND username = ${sqlString(username)} LIMIT 1)`
  );
}

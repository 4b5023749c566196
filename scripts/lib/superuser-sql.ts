/**
 * The SQL `createsuperuser` runs against D1: one INSERT with every value as
 * an escaped SQL string literal (wrangler's `d1 execute` takes no bound
 * parameters). Kept free of Node APIs so the tests run it inside workerd.
 */
import { usernameLookupKeys } from '../../src/validation/username';

/** A SQL string literal: single quotes doubled; NUL is refused. */
export function sqlString(value: string): string {
  if (value.includes('\0')) throw new Error('NUL characters cannot be stored');
  return `'${value.replaceAll("'", "''")}'`;
}

export interface Superuser {
  username: string;
  email: string;
  passwordHash: string;
  now: number;
}

/**
 * The key to insert. A row that `rekey-usernames` has not rewritten yet is
 * keyed by the legacy key, which the UNIQUE index does not compare with the
 * new one: when such a row exists the INSERT takes over its key, so that it
 * fails on the same UNIQUE constraint as any other taken username.
 */
function keySql(username: string): string {
  const [key, legacy] = usernameLookupKeys(username).map(sqlString);
  if (key === legacy) return key!;
  return `COALESCE((SELECT username_key FROM users WHERE username_key = ${legacy}), ${key})`;
}

export function superuserInsertSql(user: Superuser): string {
  const values = [
    sqlString(user.username),
    keySql(user.username),
    sqlString(user.email),
    sqlString(user.passwordHash),
    '1',
    '1',
    '1',
    String(Math.trunc(user.now)),
  ];
  return (
    'INSERT INTO users (username, username_key, email, password, is_active, is_staff, ' +
    `is_superuser, date_joined) VALUES (${values.join(', ')});\n`
  );
}

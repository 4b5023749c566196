/**
 * The SQL `createsuperuser` runs against D1: one INSERT with every value as
 * an escaped SQL string literal (wrangler's `d1 execute` takes no bound
 * parameters). Kept free of Node APIs so the tests run it inside workerd.
 */
import { usernameKey } from '../../src/validation/username';

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

export function superuserInsertSql(user: Superuser): string {
  const values = [
    sqlString(user.username),
    sqlString(usernameKey(user.username)),
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

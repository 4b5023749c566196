/**
 * @module scripts/createsuperuser
 * `npm run createsuperuser`: Django's `createsuperuser` for edgeauth. Asks
 * for a username, email and password (or reads them from flags and
 * EDGEAUTH_SUPERUSER_PASSWORD with --noinput), validates them as
 * registration does (with the password settings of wrangler.toml's [vars],
 * Pwned Passwords check included), hashes the password with the production argon2id
 * parameters, and inserts the account into the local D1 database (or the
 * deployed one with --remote). The password is never echoed: on a terminal
 * it is read in raw mode, like Python's `getpass` (scripts/lib/terminal.ts).
 */
import { parseConfig } from '../src/config';
import { createPasswordHasher, OWASP_ARGON2ID } from '../src/crypto/password';
import { randomToken } from '../src/crypto/random';
import { AuthError } from '../src/errors';
import { checkNewPassword } from '../src/validation/new-password';
import {
  EMAIL_INVALID,
  cleanUsername,
  isValidEmail,
  normalizeEmail,
} from '../src/validation/username';
import { fail, parseFlags } from './lib/cli';
import { passwordSettings } from './lib/password-settings';
import { executeSql, migrateLocal } from './lib/d1-cli';
import { superuserInsertSql } from './lib/superuser-sql';
import { Cancelled, openTerminal } from './lib/terminal';

const USAGE = `Usage: npm run createsuperuser -- [options]

Creates an active staff superuser in edgeauth's D1 database.

Options:
  --username NAME     the username (asked for when missing)
  --email ADDRESS     the email address (asked for when missing; may be blank)
  --noinput           ask nothing: needs --username, and the password in
                      the EDGEAUTH_SUPERUSER_PASSWORD environment variable
  --remote            write to the deployed database (default: the local one)
  --persist-to DIR    the local database's folder (wrangler's --persist-to)
  -h, --help          show this help and exit

Examples:
  npm run createsuperuser
  npm run createsuperuser -- --username admin --email admin@example.com
  EDGEAUTH_SUPERUSER_PASSWORD=... npm run createsuperuser -- --noinput --username admin --remote`;

const flags = parseFlags(
  {
    username: { type: 'string' },
    email: { type: 'string' },
    remote: { type: 'boolean', default: false },
    noinput: { type: 'boolean', default: false },
    'persist-to': { type: 'string' },
  },
  USAGE,
);

interface Input {
  username: string;
  email: string;
  password: string;
}

function fromEnvironment(): Input {
  if (flags.username === undefined) fail('You must use --username with --noinput.');
  const password = process.env.EDGEAUTH_SUPERUSER_PASSWORD;
  if (!password) fail('--noinput needs the password in EDGEAUTH_SUPERUSER_PASSWORD.');
  return { username: flags.username, email: flags.email ?? '', password };
}

async function collect(): Promise<Input> {
  if (flags.noinput) return fromEnvironment();
  const terminal = openTerminal();
  try {
    const username = flags.username ?? (await terminal.ask('Username: '));
    const email = flags.email ?? (await terminal.ask('Email address: '));
    const password = await terminal.askHidden('Password: ');
    const again = await terminal.askHidden('Password (again): ');
    if (again !== password) fail("Your passwords didn't match.");
    return { username, email, password };
  } catch (err) {
    if (err instanceof Cancelled) fail(err.message);
    throw err;
  } finally {
    terminal.close();
  }
}

/** The same checks as registration, in the same order: NFKC first, then length and characters. */
async function check(input: Input) {
  const config = parseConfig({
    ...(await passwordSettings()),
    ENVIRONMENT: 'development',
    SECRET_KEY: randomToken(48),
  });
  const { username, errors } = cleanUsername(input.username.trim());
  const email = input.email.trim() === '' ? '' : normalizeEmail(input.email.trim());
  if (!username) fail('This field may not be blank.');
  if (errors.length > 0) fail(errors.join(' '));
  if (email && !isValidEmail(email)) fail(EMAIL_INVALID);
  if ([...input.password].length > config.PASSWORD_MAX_LENGTH) fail('This password is too long.');
  const problems = await checkNewPassword(input.password, { username, email }, config).catch(
    (err: unknown) => fail(err instanceof AuthError ? err.detail : String(err)),
  );
  if (problems.length > 0) fail(problems.join(' '));
  return { username, email };
}

async function main(): Promise<void> {
  const input = await collect();
  const { username, email } = await check(input);
  const passwordHash = await createPasswordHasher(OWASP_ARGON2ID).hash(input.password);
  try {
    migrateLocal(flags);
    const sql = superuserInsertSql({ username, email, passwordHash, now: Date.now() });
    executeSql(flags, 'createsuperuser.sql', sql);
  } catch (err) {
    const message = (err as Error).message;
    if (message.includes('UNIQUE constraint failed')) fail('That username is already taken.');
    fail(message);
  }
  console.log(`Superuser created successfully: ${username}`);
}

await main();

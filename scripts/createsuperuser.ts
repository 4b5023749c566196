/**
 * `npm run createsuperuser`: Django's `createsuperuser` for edgeauth. Asks
 * for a username, email and password (or reads them from flags and
 * EDGEAUTH_SUPERUSER_PASSWORD with --noinput), validates them as
 * registration does (with the password settings of wrangler.toml's [vars],
 * Pwned Passwords check included), hashes the password with the production argon2id
 * parameters, and inserts the account into the local D1 database (or the
 * deployed one with --remote).
 *
 *   npm run createsuperuser
 *   npm run createsuperuser -- --username admin --email admin@example.com
 *   EDGEAUTH_SUPERUSER_PASSWORD=… npm run createsuperuser -- --noinput --username admin --remote
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { parseConfig } from '../src/config';
import { createPasswordHasher, OWASP_ARGON2ID } from '../src/crypto/password';
import { randomToken } from '../src/crypto/random';
import { AuthError } from '../src/errors';
import { checkNewPassword } from '../src/validation/new-password';
import {
  EMAIL_INVALID,
  USERNAME_INVALID,
  USERNAME_MAX_LENGTH,
  isValidEmail,
  isValidUsername,
  normalizeEmail,
  normalizeUsername,
} from '../src/validation/username';
import { passwordSettings } from './lib/password-settings';
import { superuserInsertSql } from './lib/superuser-sql';

const { values: flags } = parseArgs({
  options: {
    username: { type: 'string' },
    email: { type: 'string', default: undefined },
    remote: { type: 'boolean', default: false },
    noinput: { type: 'boolean', default: false },
    'persist-to': { type: 'string' },
  },
});

function fail(message: string): never {
  console.error(`Error: ${message}`);
  process.exit(1);
}

async function ask(question: string, hidden = false): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  if (hidden) {
    const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput;
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      if (s.startsWith(question)) write.call(rl, question);
    };
  }
  const answer = await rl.question(question);
  rl.close();
  if (hidden) process.stdout.write('\n');
  return answer;
}

async function collect(): Promise<{ username: string; email: string; password: string }> {
  if (flags.noinput) {
    const password = process.env.EDGEAUTH_SUPERUSER_PASSWORD;
    if (!flags.username) fail('--noinput needs --username.');
    if (!password) fail('--noinput needs the password in EDGEAUTH_SUPERUSER_PASSWORD.');
    return { username: flags.username, email: flags.email ?? '', password };
  }
  const username = flags.username ?? (await ask('Username: '));
  const email = flags.email ?? (await ask('Email address: '));
  const password = await ask('Password: ', true);
  if ((await ask('Password (again): ', true)) !== password) fail("Your passwords didn't match.");
  return { username, email, password };
}

async function check(input: { username: string; email: string; password: string }) {
  const config = parseConfig({
    ...(await passwordSettings()),
    ENVIRONMENT: 'development',
    SECRET_KEY: randomToken(48),
  });
  const username = normalizeUsername(input.username.trim());
  const email = input.email.trim() === '' ? '' : normalizeEmail(input.email.trim());
  if (!username || [...username].length > USERNAME_MAX_LENGTH || !isValidUsername(username)) {
    fail(USERNAME_INVALID);
  }
  if (email && !isValidEmail(email)) fail(EMAIL_INVALID);
  if ([...input.password].length > config.PASSWORD_MAX_LENGTH) fail('This password is too long.');
  const problems = await checkNewPassword(input.password, { username, email }, config).catch(
    (err: unknown) => fail(err instanceof AuthError ? err.detail : String(err)),
  );
  if (problems.length > 0) fail(problems.join(' '));
  return { username, email };
}

/** A fresh local database has no tables yet: apply the migrations first (as `npm run dev` does). */
function migrateLocal(target: string[]): void {
  const result = spawnSync('wrangler', ['d1', 'migrations', 'apply', 'DB', ...target], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
    shell: process.platform === 'win32',
  });
  if (result.status !== 0)
    fail(`applying local migrations failed:\n${result.stdout}${result.stderr}`);
}

async function main(): Promise<void> {
  const input = await collect();
  const { username, email } = await check(input);
  const passwordHash = await createPasswordHasher(OWASP_ARGON2ID).hash(input.password);
  const dir = mkdtempSync(join(tmpdir(), 'edgeauth-'));
  const file = join(dir, 'createsuperuser.sql');
  writeFileSync(file, superuserInsertSql({ username, email, passwordHash, now: Date.now() }), {
    mode: 0o600,
  });
  const target = flags.remote ? ['--remote'] : ['--local'];
  if (flags['persist-to']) target.push('--persist-to', flags['persist-to']);
  if (!flags.remote) migrateLocal(target);
  const result = spawnSync(
    'wrangler',
    ['d1', 'execute', 'DB', ...target, '--yes', '--file', file],
    {
      encoding: 'utf8',
      shell: process.platform === 'win32',
    },
  );
  rmSync(dir, { recursive: true, force: true });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (output.includes('UNIQUE constraint failed')) fail('That username is already taken.');
  if (result.status !== 0) fail(`wrangler d1 execute failed:\n${output}`);
  console.log(`Superuser created successfully: ${username}`);
}

await main();

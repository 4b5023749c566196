// Prepares a checkout for `wrangler dev`, and with --serve starts it.
//
//   npm run dev:setup               node scripts/toolchain.mjs node scripts/dev-setup.mjs
//   npm run dev -- [wrangler args]  the same with --serve: then `wrangler dev [wrangler args]`
//
// Writes a git-ignored .dev.vars with a random SECRET_KEY when there is none,
// and applies the D1 migrations to the local database (the one that
// `--persist-to DIR`, when given, names). Run through scripts/toolchain.mjs,
// so that wrangler gets the Node.js it needs.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const serve = args[0] === '--serve';
const wranglerArgs = serve ? args.slice(1) : args;

// wrangler dev looks up Cloudflare's hosts to build `Request.cf`; with no
// network that prints a stack trace on every start. Local answers do not need it.
const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false' };

function run(command) {
  const result = spawnSync('wrangler', command, { stdio: 'inherit', env });
  if (result.error) {
    console.error(`could not run wrangler: ${result.error.message} (did npm install run?)`);
    process.exit(1);
  }
  return result.status ?? 1;
}

function persistTo() {
  const at = wranglerArgs.findIndex(
    (arg) => arg === '--persist-to' || arg.startsWith('--persist-to='),
  );
  if (at === -1) return [];
  const arg = wranglerArgs[at];
  return arg.includes('=') ? [arg] : ['--persist-to', wranglerArgs[at + 1] ?? ''];
}

if (!existsSync('.dev.vars')) {
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(
    '.dev.vars',
    [
      '# Local development settings for `wrangler dev` (git-ignored; made by npm run dev).',
      'ENVIRONMENT=development',
      `SECRET_KEY=${secret}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  console.log('Created .dev.vars with a random development SECRET_KEY.');
}

// Non-interactive: local migrations apply without a confirmation prompt.
env.CI = 'true';
const migrated = run(['d1', 'migrations', 'apply', 'DB', '--local', ...persistTo()]);
delete env.CI;
if (migrated !== 0 || !serve) process.exit(migrated);

process.on('SIGINT', () => {});
process.exit(run(['dev', ...wranglerArgs]));

// Prepares a checkout for `wrangler dev` (run by `npm run dev` before it):
// writes a git-ignored .dev.vars with a random SECRET_KEY when there is
// none, and applies the D1 migrations to the local database.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';

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

const result = spawnSync('wrangler', ['d1', 'migrations', 'apply', 'DB', '--local'], {
  stdio: 'inherit',
  // Non-interactive: local migrations apply without a confirmation prompt.
  env: { ...process.env, CI: 'true' },
  shell: process.platform === 'win32',
});
process.exit(result.status ?? 1);

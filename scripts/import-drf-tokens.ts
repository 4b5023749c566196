/**
 * `npm run import-drf-tokens -- --file <dump>`: imports DRF `authtoken_token`
 * keys so that clients holding them keep working. The dump is Django's
 * `python manage.py dumpdata authtoken.token > tokens.json` (users as ids, or
 * as usernames with --natural-foreign), or a CSV with a header `key,user_id`
 * or `key,username` (and optionally `created`). Only a SHA-256 digest of each
 * key is stored. Users must exist in edgeauth already; rows for unknown users
 * are skipped. Runs against the local D1 database, or the deployed one with
 * --remote.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DRF_KEY,
  drfTokenInsertSql,
  rowsFromCsv,
  rowsFromDumpdata,
  type DrfTokenRow,
} from './lib/drf-token-sql';

const { values: flags } = parseArgs({
  options: {
    file: { type: 'string' },
    remote: { type: 'boolean', default: false },
    'persist-to': { type: 'string' },
  },
});

function fail(message: string): never {
  console.error(`Error: ${message}`);
  process.exit(1);
}

function wrangler(args: string[]): string {
  const result = spawnSync('wrangler', args, {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
    shell: process.platform === 'win32',
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) fail(`wrangler ${args.slice(0, 3).join(' ')} failed:\n${output}`);
  return output;
}

function readRows(file: string): DrfTokenRow[] {
  const text = readFileSync(file, 'utf8');
  return text.trimStart().startsWith('[') ? rowsFromDumpdata(JSON.parse(text)) : rowsFromCsv(text);
}

async function main(): Promise<void> {
  if (!flags.file) fail('give the dump with --file');
  const rows = readRows(flags.file);
  const valid = rows.filter((row) => DRF_KEY.test(row.key));
  if (valid.length < rows.length)
    console.warn(`Skipping ${rows.length - valid.length} malformed keys.`);
  const now = Date.now();
  const statements = await Promise.all(valid.map((row) => drfTokenInsertSql(row, now)));
  const target = flags.remote ? ['--remote'] : ['--local'];
  if (flags['persist-to']) target.push('--persist-to', flags['persist-to']);
  if (!flags.remote) wrangler(['d1', 'migrations', 'apply', 'DB', ...target]);
  const dir = mkdtempSync(join(tmpdir(), 'edgeauth-'));
  const file = join(dir, 'import-drf-tokens.sql');
  writeFileSync(file, statements.join(''), { mode: 0o600 });
  try {
    wrangler(['d1', 'execute', 'DB', ...target, '--yes', '--file', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `Imported up to ${valid.length} DRF tokens (existing ones and unknown users skipped).`,
  );
}

await main();

/**
 * `npm run import-drf-tokens -- --file <dump> [--dumped-at <date>]`: imports
 * DRF `authtoken_token` keys so that clients holding them keep working. The
 * dump is Django's `python manage.py dumpdata authtoken.token > tokens.json`
 * (users as ids, or as usernames with --natural-foreign), or a CSV with a
 * header `key,user_id` or `key,username` (and optionally `created`). Only a
 * SHA-256 digest of each key is stored. Users must exist in edgeauth
 * already. Runs against the local D1 database, or the deployed one with
 * --remote, and reports exactly how many keys it imported and why it
 * skipped the others.
 *
 * --dumped-at is when `dumpdata` ran (ISO 8601; default: the file's
 * modification time). A key counts as issued then (or at its `created` date
 * if later): a user who logged out everywhere in edgeauth after that moment
 * does not get the key back.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  drfTokenImportPlan,
  formatImportReport,
  importReport,
  rowsFromCsv,
  rowsFromDumpdata,
  type DrfTokenRow,
} from './lib/drf-token-sql';

const { values: flags } = parseArgs({
  options: {
    file: { type: 'string' },
    'dumped-at': { type: 'string' },
    remote: { type: 'boolean', default: false },
    'persist-to': { type: 'string' },
  },
});

function fail(message: string): never {
  console.error(`Error: ${message}`);
  process.exit(1);
}

/** Runs wrangler; returns its standard output, or throws with everything it said. */
function wrangler(args: string[]): string {
  const result = spawnSync('wrangler', args, {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
    shell: process.platform === 'win32',
  });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    throw new Error(`wrangler ${args.slice(0, 3).join(' ')} failed:\n${output}`);
  }
  return result.stdout ?? '';
}

function readRows(file: string): DrfTokenRow[] {
  const text = readFileSync(file, 'utf8');
  try {
    return text.trimStart().startsWith('[')
      ? rowsFromDumpdata(JSON.parse(text))
      : rowsFromCsv(text);
  } catch (err) {
    fail(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** When the dump was taken: --dumped-at, else the file's modification time; never in the future. */
function dumpedAt(file: string, now: number): { at: number; source: string } {
  const given = flags['dumped-at'];
  const at = given === undefined ? statSync(file).mtimeMs : Date.parse(given);
  if (Number.isNaN(at)) fail(`--dumped-at ${JSON.stringify(given)} is not a date (ISO 8601)`);
  if (at > now) fail(`the dump cannot be taken after now (${new Date(at).toISOString()})`);
  const source =
    given === undefined
      ? "the file's modification time; give --dumped-at if the file was copied since"
      : '--dumped-at';
  return { at: Math.trunc(at), source };
}

/** The rows of a `--json` query: wrangler prints `[{ results, success, meta }]`. */
function jsonResults<T>(output: string): T[] {
  const parsed = JSON.parse(output) as { results?: T[] }[];
  return parsed.flatMap((entry) => entry.results ?? []);
}

async function main(): Promise<void> {
  if (!flags.file) fail('give the dump with --file');
  const now = Date.now();
  const rows = readRows(flags.file);
  const dump = dumpedAt(flags.file, now);
  const table = `drf_token_import_${randomBytes(6).toString('hex')}`;
  const plan = await drfTokenImportPlan(rows, { dumpedAt: dump.at, now, table });
  const target = flags.remote ? ['--remote'] : ['--local'];
  if (flags['persist-to']) target.push('--persist-to', flags['persist-to']);
  if (!flags.remote) wrangler(['d1', 'migrations', 'apply', 'DB', ...target]);
  const dir = mkdtempSync(join(tmpdir(), 'edgeauth-'));
  const file = join(dir, 'import-drf-tokens.sql');
  writeFileSync(file, plan.statements.join('\n'), { mode: 0o600 });
  let counts: { outcome: string; n: number }[];
  try {
    wrangler(['d1', 'execute', 'DB', ...target, '--yes', '--file', file]);
    const query = ['d1', 'execute', 'DB', ...target, '--json', '--command', plan.countSql];
    counts = jsonResults(wrangler(query));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    wrangler(['d1', 'execute', 'DB', ...target, '--yes', '--command', plan.dropSql]);
  }
  console.log(`Dump taken at ${new Date(dump.at).toISOString()} (${dump.source}).`);
  console.log(formatImportReport(importReport(plan, counts)));
}

await main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));

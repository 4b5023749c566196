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
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { fail, parseFlags } from './lib/cli';
import { executeSql, migrateLocal, query, targetArgs, wrangler } from './lib/d1-cli';
import {
  drfTokenImportPlan,
  formatImportReport,
  importReport,
  rowsFromCsv,
  rowsFromDumpdata,
  type DrfTokenRow,
} from './lib/drf-token-sql';

const USAGE = `Usage: npm run import-drf-tokens -- --file DUMP [options]

Imports DRF authtoken keys (dumpdata JSON or CSV) so that their clients keep
working; only a digest of each key is stored.

Options:
  --file DUMP         manage.py dumpdata authtoken.token output, or a CSV with
                      a header key,user_id or key,username (optionally created)
  --dumped-at DATE    when the dump was taken (ISO 8601; default: the file's
                      modification time)
  --remote            write to the deployed database (default: the local one)
  --persist-to DIR    the local database's folder (wrangler's --persist-to)
  -h, --help          show this help and exit`;

const flags = parseFlags(
  {
    file: { type: 'string' },
    'dumped-at': { type: 'string' },
    remote: { type: 'boolean', default: false },
    'persist-to': { type: 'string' },
  },
  USAGE,
);

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

async function main(): Promise<void> {
  if (!flags.file) fail('give the dump with --file');
  const now = Date.now();
  const rows = readRows(flags.file);
  const dump = dumpedAt(flags.file, now);
  const table = `drf_token_import_${randomBytes(6).toString('hex')}`;
  const plan = await drfTokenImportPlan(rows, { dumpedAt: dump.at, now, table });
  migrateLocal(flags);
  let counts: { outcome: string; n: number }[];
  try {
    executeSql(flags, 'import-drf-tokens.sql', plan.statements.join('\n'));
    counts = query(flags, plan.countSql);
  } finally {
    wrangler(['d1', 'execute', 'DB', ...targetArgs(flags), '--yes', '--command', plan.dropSql]);
  }
  console.log(`Dump taken at ${new Date(dump.at).toISOString()} (${dump.source}).`);
  console.log(formatImportReport(importReport(plan, counts)));
}

await main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));

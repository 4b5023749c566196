/**
 * @module scripts/rekey-usernames
 * `npm run rekey-usernames`: rewrites `users.username_key` with the current
 * key (NFKC, full Unicode case folding, NFKC: `usernameKey`). edgeauth 0.1.0
 * stored NFKC + `toLowerCase()`, which SQLite cannot turn into the new key
 * (its `lower()` is ASCII-only), so a SQL migration cannot do this. Until it
 * has run the Worker looks usernames up by both keys; afterwards only rows
 * whose username folds differently ('straße', 'ΟΔΟΣ', Cherokee) change.
 *
 * If two accounts fold to the same key it changes nothing, lists the pairs
 * and exits 1: rename one of each pair, then run it again. It is safe to run
 * more than once. Runs against the local D1 database, or the deployed one
 * with --remote.
 */
import { fail, parseFlags } from './lib/cli';
import { executeSql, query, type D1Target } from './lib/d1-cli';
import {
  PAGE_SIZE,
  describeCollisions,
  planRekey,
  rekeySql,
  selectPageSql,
  type StoredUsername,
} from './lib/rekey-sql';

const USAGE = `Usage: npm run rekey-usernames -- [options]

Rewrites every stored username key with full Unicode case folding (edgeauth
0.1.0 stored them lower-cased). If two accounts collide it changes nothing,
lists the pairs and exits 1.

Options:
  --remote            the deployed database (default: the local one)
  --persist-to DIR    the local database's folder (wrangler's --persist-to)
  --dry-run           print what would change; change nothing
  -h, --help          show this help and exit`;

const flags = parseFlags(
  {
    remote: { type: 'boolean', default: false },
    'persist-to': { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
  },
  USAGE,
);

function readAll(target: D1Target): StoredUsername[] {
  const rows: StoredUsername[] = [];
  for (;;) {
    const page = query<StoredUsername>(target, selectPageSql(rows.at(-1)?.id ?? 0));
    rows.push(...page);
    if (page.length < PAGE_SIZE) return rows;
  }
}

/** The accounts; a database without the users table is an error, never "nothing to do". */
function readAccounts(target: D1Target): StoredUsername[] {
  try {
    return readAll(target);
  } catch (err) {
    if (!/no such table: users/.test((err as Error).message)) throw err;
    return fail(
      'this database has no users table: check --remote / --persist-to ' +
        '(this command never creates or migrates a database)',
    );
  }
}

function main(): void {
  const plan = planRekey(readAccounts(flags));
  if (plan.collisions.length > 0) {
    console.error(
      `Error: ${plan.collisions.length} pair(s) of accounts fold to the same username key:\n` +
        `${describeCollisions(plan).join('\n')}\n` +
        'Nothing was changed. Rename one account of each pair (PATCH /api/me/ as that user, ' +
        'or an UPDATE of users.username), then run this again.',
    );
    process.exit(1);
  }
  if (plan.changes.length === 0) {
    console.log(`All ${plan.total} username keys are current; nothing to do.`);
    return;
  }
  if (flags['dry-run']) {
    for (const { id, username, from, to } of plan.changes) {
      console.log(
        `  id ${id} ${JSON.stringify(username)}: ${JSON.stringify(from)} -> ${JSON.stringify(to)}`,
      );
    }
    console.log(`Would re-key ${plan.changes.length} of ${plan.total} usernames (dry run).`);
    return;
  }
  executeSql(flags, 'rekey-usernames.sql', rekeySql(plan));
  console.log(`Re-keyed ${plan.changes.length} of ${plan.total} usernames.`);
}

try {
  main();
} catch (err) {
  fail((err as Error).message);
}

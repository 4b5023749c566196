/**
 * The SQL `import-drf-tokens` runs, and the report it prints. The rows go
 * into a staging table; SQL classifies each one (unknown user, already
 * imported, revoked after the dump) and copies the rest into `api_tokens`,
 * storing each key's digest (never the key); a `GROUP BY` over the staging
 * table then gives exact counts, and the table is dropped. Malformed and
 * repeated keys are counted before any SQL. Free of Node APIs so the tests
 * run it inside workerd.
 *
 * A key's issue time is the later of its `created` date and the moment the
 * dump was taken (a key in the dump was alive then), never later than the
 * import: a user who logged out everywhere before the dump keeps the key,
 * one who did after it does not get it back.
 */
import { drfTokenId, tokenDigest } from '../../src/crypto/opaque-token';
import { sqlString } from './superuser-sql';
import { userIdByExactUsernameSql } from './username-sql';

/** One row of DRF's `authtoken_token`, with its user by id or by username. */
export interface DrfTokenRow {
  key: string;
  user: { id: number } | { username: string };
  /** Epoch ms, when the dump has it. */
  created?: number;
}

export const DRF_KEY = /^[0-9a-f]{40}$/;

/** Why a row was not imported, with the words the report uses. */
export const SKIP_REASONS = {
  malformed_key: 'malformed key (not 40 lower-case hex digits)',
  repeated_in_dump: 'the same key again in the dump',
  unknown_user: 'no such user in edgeauth',
  already_imported: 'already imported',
  revoked:
    "the user's credentials were revoked after the dump was taken (log out everywhere or deactivation)",
} as const;
export type SkipReason = keyof typeof SKIP_REASONS;

export interface ImportReport {
  total: number;
  imported: number;
  skipped: Record<SkipReason, number>;
}

export interface ImportPlan {
  /** Run in order, as one file or one batch: staging, classification, the copy. */
  statements: string[];
  /** Rows `{ outcome, n }`: how many rows ended in each outcome. */
  countSql: string;
  /** Drops the staging table; run it whatever happened. */
  dropSql: string;
  /** Counted before any SQL: malformed and repeated keys. */
  skippedBeforeSql: Pick<Record<SkipReason, number>, 'malformed_key' | 'repeated_in_dump'>;
  total: number;
}

/** UTF-8 bytes per INSERT, below D1's 100 KB limit on a statement. */
export const MAX_STATEMENT_BYTES = 90_000;

/** `INSERT ... VALUES` statements of at most MAX_STATEMENT_BYTES each (a row is at most ~2.5 KB). */
function insertStatements(table: string, values: string[]): string[] {
  const head = `INSERT INTO ${table} (row, id, digest, user_id, issued_at) VALUES `;
  const size = (text: string) => new TextEncoder().encode(text).length;
  const statements: string[] = [];
  let batch: string[] = [];
  let bytes = size(head) + 1;
  for (const value of values) {
    const more = size(value) + 2;
    if (batch.length > 0 && bytes + more > MAX_STATEMENT_BYTES) {
      statements.push(`${head}${batch.join(', ')};`);
      batch = [];
      bytes = size(head) + 1;
    }
    batch.push(value);
    bytes += more;
  }
  if (batch.length > 0) statements.push(`${head}${batch.join(', ')};`);
  return statements;
}

/**
 * `(row, id, digest, user_id, issued_at)`. A user named by username is the
 * one stored with exactly that name (`username-sql.ts`), never one it only
 * case-folds to; an id that is no id, or a name nobody has, matches no user.
 */
function stagingRow(index: number, digest: string, row: DrfTokenRow, issuedAt: number): string {
  const { user } = row;
  let userId = 'NULL';
  if ('id' in user && Number.isSafeInteger(user.id)) userId = String(user.id);
  if ('username' in user && !user.username.includes('\0')) {
    userId = userIdByExactUsernameSql(user.username);
  }
  const id = sqlString(drfTokenId(digest));
  return `(${index}, ${id}, ${sqlString(digest)}, ${userId}, ${issuedAt})`;
}

/** The classification and the copy, over staging table `t`. */
function classifyAndCopy(t: string): string[] {
  const mark = (outcome: string, where: string) =>
    `UPDATE ${t} SET outcome = '${outcome}' WHERE outcome IS NULL AND ${where};`;
  return [
    `UPDATE ${t} SET owner = (SELECT users.id FROM users WHERE users.id = ${t}.user_id) WHERE user_id IS NOT NULL;`,
    mark('unknown_user', 'owner IS NULL'),
    mark(
      'already_imported',
      `EXISTS (SELECT 1 FROM api_tokens WHERE api_tokens.digest = ${t}.digest)`,
    ),
    mark(
      'revoked',
      `EXISTS (SELECT 1 FROM users WHERE users.id = ${t}.owner AND users.credentials_changed_at > ${t}.issued_at)`,
    ),
    'INSERT INTO api_tokens (id, digest, user_id, name, created_at, expires_at, last_used_at, ' +
      `scopes, created_via) SELECT id, digest, owner, 'drf import', issued_at, NULL, NULL, NULL, ` +
      `'import' FROM ${t} WHERE outcome IS NULL ON CONFLICT DO NOTHING;`,
    mark(
      'imported',
      `EXISTS (SELECT 1 FROM api_tokens WHERE api_tokens.digest = ${t}.digest AND ` +
        `api_tokens.user_id = ${t}.owner AND api_tokens.created_via = 'import' AND ` +
        `api_tokens.created_at = ${t}.issued_at)`,
    ),
    // Only a key inserted by someone else between the two statements above is left.
    mark('already_imported', '1 = 1'),
  ];
}

/**
 * Plans the import of `rows` through the staging table `table` (a fresh
 * name, such as `drf_token_import_<random>`). `dumpedAt` and `now` are epoch ms.
 */
export async function drfTokenImportPlan(
  rows: DrfTokenRow[],
  options: { dumpedAt: number; now: number; table: string },
): Promise<ImportPlan> {
  const { dumpedAt, now, table: t } = options;
  if (!/^[a-z_][a-z0-9_]*$/.test(t)) throw new Error('the staging table needs a plain name');
  const skippedBeforeSql = { malformed_key: 0, repeated_in_dump: 0 };
  const seen = new Set<string>();
  const values: string[] = [];
  for (const row of rows) {
    if (!DRF_KEY.test(row.key)) skippedBeforeSql.malformed_key++;
    else if (seen.has(row.key)) skippedBeforeSql.repeated_in_dump++;
    else {
      seen.add(row.key);
      const issuedAt = Math.trunc(Math.min(Math.max(row.created ?? dumpedAt, dumpedAt), now));
      values.push(stagingRow(values.length, await tokenDigest(row.key), row, issuedAt));
    }
  }
  const statements = [
    `CREATE TABLE ${t} (row INTEGER PRIMARY KEY, id TEXT NOT NULL, digest TEXT NOT NULL, ` +
      'user_id INTEGER, issued_at INTEGER NOT NULL, owner INTEGER, outcome TEXT);',
  ];
  statements.push(...insertStatements(t, values));
  statements.push(...classifyAndCopy(t));
  return {
    statements,
    countSql: `SELECT outcome, count(*) AS n FROM ${t} GROUP BY outcome ORDER BY outcome`,
    dropSql: `DROP TABLE IF EXISTS ${t}`,
    skippedBeforeSql,
    total: rows.length,
  };
}

/** The exact counts, from the plan and the rows of its `countSql`; throws if they do not add up. */
export function importReport(
  plan: ImportPlan,
  counts: { outcome: string; n: number }[],
): ImportReport {
  const skipped: Record<SkipReason, number> = {
    ...plan.skippedBeforeSql,
    unknown_user: 0,
    already_imported: 0,
    revoked: 0,
  };
  let imported = 0;
  for (const { outcome, n } of counts) {
    if (outcome === 'imported') imported += n;
    else if (outcome in skipped) skipped[outcome as SkipReason] += n;
    else throw new Error(`unexpected outcome ${JSON.stringify(outcome)} for ${n} rows`);
  }
  const accounted = imported + Object.values(skipped).reduce((sum, n) => sum + n, 0);
  if (accounted !== plan.total) {
    throw new Error(`${accounted} of ${plan.total} rows accounted for; the import is incomplete`);
  }
  return { total: plan.total, imported, skipped };
}

/** The report as the command prints it. */
export function formatImportReport(report: ImportReport): string {
  const skipped = report.total - report.imported;
  const lines = [`Imported ${report.imported} of ${report.total} DRF tokens; skipped ${skipped}.`];
  for (const [reason, n] of Object.entries(report.skipped)) {
    if (n > 0) lines.push(`  skipped ${n}: ${SKIP_REASONS[reason as SkipReason]}`);
  }
  return lines.join('\n');
}

function parseCreated(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Rows from Django's `dumpdata authtoken.token` JSON. */
export function rowsFromDumpdata(json: unknown): DrfTokenRow[] {
  if (!Array.isArray(json)) throw new Error('expected the JSON array `dumpdata` writes');
  return json
    .filter((entry) => (entry as { model?: string }).model === 'authtoken.token')
    .map((entry) => {
      const { pk, fields } = entry as { pk: string; fields: { user: unknown; created?: string } };
      const user = Array.isArray(fields.user)
        ? { username: String(fields.user[0]) }
        : { id: Number(fields.user) };
      return { key: pk, user, created: parseCreated(fields.created) };
    });
}

/**
 * The records of a CSV (RFC 4180): fields separated by commas, a field in
 * double quotes may hold commas, line breaks and doubled quotes. Unquoted
 * fields are trimmed; a quote inside an unquoted field, or text after a
 * closing quote, is an error rather than a guess.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  const pattern = /[ \t]*(?:"((?:[^"]|"")*)"|([^",\r\n]*))[ \t]*(,|\r?\n|$)/y;
  let record: string[] = [];
  let at = 0;
  while (at < text.length) {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (!match || match[0] === '') throw new Error(`malformed CSV at character ${at + 1}`);
    const [whole, quoted, plain, end] = match;
    const unquoted = (plain ?? '').trim();
    if (quoted === undefined && unquoted.includes('"')) {
      throw new Error(`malformed CSV at character ${at + 1}: a quote inside an unquoted field`);
    }
    record.push(quoted === undefined ? unquoted : quoted.replaceAll('""', '"'));
    at += whole.length;
    if (end !== ',') {
      if (record.some((field) => field !== '')) records.push(record);
      record = [];
    } else if (at === text.length) {
      record.push('');
      records.push(record);
    }
  }
  return records;
}

/** Rows from a CSV with a header: `key`, `user_id` or `username`, optional `created`. */
export function rowsFromCsv(text: string): DrfTokenRow[] {
  const [columns = [], ...records] = parseCsv(text);
  const at = (name: string) => columns.indexOf(name);
  if (at('key') < 0 || (at('user_id') < 0 && at('username') < 0)) {
    throw new Error('the CSV header needs `key` and `user_id` or `username`');
  }
  return records.map((cells) => {
    if (cells.length !== columns.length) {
      throw new Error(`a CSV record has ${cells.length} fields, the header ${columns.length}`);
    }
    const user =
      at('user_id') >= 0
        ? { id: Number(cells[at('user_id')]) }
        : { username: cells[at('username')]! };
    return { key: cells[at('key')]!, user, created: parseCreated(cells[at('created')]) };
  });
}

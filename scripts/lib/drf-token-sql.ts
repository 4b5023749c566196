/**
 * The SQL `import-drf-tokens` runs: one `INSERT OR IGNORE` per DRF
 * `authtoken_token` row, storing the key's digest (never the key) for the
 * matching edgeauth user. Rows whose user does not exist insert nothing.
 * Free of Node APIs so the tests run it inside workerd.
 */
import { drfTokenId, tokenDigest } from '../../src/crypto/opaque-token';
import { sqlString } from './superuser-sql';
import { userIdByUsernameSql } from './username-sql';

/** One row of DRF's `authtoken_token`, with its user by id or by username. */
export interface DrfTokenRow {
  key: string;
  user: { id: number } | { username: string };
  /** Epoch ms; now when unknown. */
  created?: number;
}

export const DRF_KEY = /^[0-9a-f]{40}$/;

export async function drfTokenInsertSql(row: DrfTokenRow, now: number): Promise<string> {
  if (!DRF_KEY.test(row.key)) throw new Error('a DRF key is 40 lower-case hex digits');
  const digest = await tokenDigest(row.key);
  const owner =
    'id' in row.user
      ? `users.id = ${Math.trunc(row.user.id)}`
      : `users.id = ${userIdByUsernameSql(row.user.username)}`;
  const created = Math.trunc(row.created ?? now);
  return (
    'INSERT OR IGNORE INTO api_tokens (id, digest, user_id, name, created_at, expires_at, ' +
    'last_used_at, scopes, created_via) ' +
    `SELECT ${sqlString(drfTokenId(digest))}, ${sqlString(digest)}, users.id, 'drf import', ` +
    `${created}, NULL, NULL, NULL, 'import' FROM users WHERE ${owner};\n`
  );
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

/** Rows from a CSV with a header: `key`, `user_id` or `username`, optional `created`. */
export function rowsFromCsv(text: string): DrfTokenRow[] {
  const [header, ...lines] = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const columns = (header ?? '').split(',').map((name) => name.trim().replace(/^"|"$/g, ''));
  const at = (name: string) => columns.indexOf(name);
  if (at('key') < 0 || (at('user_id') < 0 && at('username') < 0)) {
    throw new Error('the CSV header needs `key` and `user_id` or `username`');
  }
  return lines.map((line) => {
    const cells = line.split(',').map((cell) => cell.trim().replace(/^"|"$/g, ''));
    const user =
      at('user_id') >= 0
        ? { id: Number(cells[at('user_id')]) }
        : { username: cells[at('username')]! };
    return { key: cells[at('key')]!, user, created: parseCreated(cells[at('created')]) };
  });
}

/**
 * @module scripts/lib/rekey-sql
 * What `rekey-usernames` does, free of Node APIs so the tests run it inside
 * workerd: read every user's id, username and stored key, compute the
 * current key (`usernameKey`: NFKC + full case folding), and write the ones
 * that differ. Two accounts whose current keys are equal are a collision:
 * then nothing is written and the pairs are listed, because only a person
 * can decide which of the two accounts gets renamed.
 */
import { usernameKey } from '../../src/validation/username';
import { sqlString } from './superuser-sql';

/** A row as `wrangler d1 execute --json` returns it. */
export interface StoredUsername {
  id: number;
  username: string;
  username_key: string;
}

export interface RekeyPlan {
  total: number;
  /** Rows whose stored key is not the current key. */
  changes: Array<{ id: number; username: string; from: string; to: string }>;
  /** Pairs of accounts that case folding makes one username. */
  collisions: Array<{ key: string; a: StoredUsername; b: StoredUsername }>;
}

export const PAGE_SIZE = 5000;

/** One page of users, in id order, after `afterId`. */
export function selectPageSql(afterId: number): string {
  return (
    'SELECT id, username, username_key FROM users ' +
    `WHERE id > ${Math.trunc(afterId)} ORDER BY id LIMIT ${PAGE_SIZE}`
  );
}

export function planRekey(rows: StoredUsername[]): RekeyPlan {
  const byKey = new Map<string, StoredUsername[]>();
  const changes: RekeyPlan['changes'] = [];
  for (const row of rows) {
    const key = usernameKey(row.username);
    byKey.set(key, [...(byKey.get(key) ?? []), row]);
    if (key !== row.username_key) {
      changes.push({ id: row.id, username: row.username, from: row.username_key, to: key });
    }
  }
  const collisions: RekeyPlan['collisions'] = [];
  for (const [key, group] of byKey) {
    for (let i = 0; i < group.length; i += 1) {
      for (let j = i + 1; j < group.length; j += 1)
        collisions.push({ key, a: group[i]!, b: group[j]! });
    }
  }
  return { total: rows.length, changes, collisions };
}

/**
 * One UPDATE per changed row, each only if the row still holds the key that
 * was read, so a username changed meanwhile (already written with the
 * current key) is left alone. Running the command again is harmless.
 */
export function rekeySql(plan: RekeyPlan): string {
  if (plan.collisions.length > 0) throw new Error('refusing to re-key: usernames collide');
  return plan.changes
    .map(
      ({ id, from, to }) =>
        `UPDATE users SET username_key = ${sqlString(to)} ` +
        `WHERE id = ${Math.trunc(id)} AND username_key = ${sqlString(from)};\n`,
    )
    .join('');
}

/** The collision report: one line per pair. */
export function describeCollisions(plan: RekeyPlan): string[] {
  return plan.collisions.map(
    ({ key, a, b }) =>
      `  id ${a.id} ${JSON.stringify(a.username)} and id ${b.id} ${JSON.stringify(b.username)}` +
      ` both fold to ${JSON.stringify(key)}`,
  );
}

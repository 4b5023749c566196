/**
 * Accounts stored by edgeauth 0.1.0, keyed by NFKC + toLowerCase(): how the
 * Worker and the scripts find them until `npm run rekey-usernames` has run,
 * and the SQL that command runs (scripts/lib/rekey-sql.ts), on real D1.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createPasswordHasher } from '../src/crypto/password';
import { rowsFromDumpdata } from '../scripts/lib/drf-token-sql';
import {
  describeCollisions,
  planRekey,
  rekeySql,
  selectPageSql,
  type StoredUsername,
} from '../scripts/lib/rekey-sql';
import { superuserInsertSql } from '../scripts/lib/superuser-sql';
import {
  PASSWORD,
  basic,
  call,
  importDrfKeys,
  makeApp,
  makeUser,
  me,
  postJson,
  tokenHeader,
} from './helpers';

const app = makeApp({ settings: { DEFAULT_AUTHENTICATION_CLASSES: 'BasicAuthentication' } });
const hasher = createPasswordHasher({ memoryKiB: 64, iterations: 1, parallelism: 1 });

const tag = () => Math.random().toString(36).slice(2, 7);

/** Inserts a user exactly as 0.1.0 did: key = NFKC, then toLowerCase(). */
async function legacyUser(username: string): Promise<number> {
  const stored = username.normalize('NFKC');
  const row = await env.DB.prepare(
    'INSERT INTO users (username, username_key, email, password, date_joined) ' +
      "VALUES (?, ?, '', ?, 0) RETURNING id",
  )
    .bind(stored, stored.toLowerCase(), await hasher.hash(PASSWORD))
    .first<{ id: number }>();
  return row!.id;
}

async function rows(ids: number[]): Promise<StoredUsername[]> {
  const all = await env.DB.prepare(selectPageSql(0)).all<StoredUsername>();
  return all.results.filter((row) => ids.includes(row.id));
}

async function runSql(sql: string) {
  for (const statement of sql.split('\n').filter(Boolean)) await env.DB.prepare(statement).run();
}

async function meId(username: string): Promise<number | null> {
  const res = await me(app, basic(username, PASSWORD));
  return res.status === 200 ? ((await res.json()) as { id: number }).id : null;
}

describe('accounts with the old lower-cased key, before the re-key', () => {
  it('log in by every spelling that reached them before, and by their own username', async () => {
    const t = tag();
    const id = await legacyUser(`ΟΔΟΣ_${t}`);
    expect(await meId(`ΟΔΟΣ_${t}`)).toBe(id);
    expect(await meId(`οδος_${t}`)).toBe(id);
    expect(await meId(`Straße_${t}`)).toBeNull();
  });

  it('block registering or renaming to a spelling whose old key they hold', async () => {
    const t = tag();
    await legacyUser(`straße_${t}`);
    // New key strasse_t (free), old key straße_t (taken): refused.
    const res = await postJson(app, '/api/auth/register/', {
      username: `Straße_${t}`,
      password: PASSWORD,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ username: ['A user with that username already exists.'] });
    const other = await makeUser(app);
    const renamed = await call(app, '/api/me/', {
      method: 'PATCH',
      headers: { ...basic(other.username, PASSWORD), 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: `STRAßE_${t}` }),
    });
    expect(renamed.status).toBe(400);
    expect(await renamed.json()).toEqual({
      username: ['A user with that username already exists.'],
    });
  });

  it('let their owner re-case their own username, which writes the new key', async () => {
    const t = tag();
    const id = await legacyUser(`straße_${t}`);
    const res = await call(app, '/api/me/', {
      method: 'PATCH',
      headers: { ...basic(`straße_${t}`, PASSWORD), 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: `Straße_${t}` }),
    });
    expect(res.status).toBe(200);
    expect(await rows([id])).toEqual([
      { id, username: `Straße_${t}`, username_key: `strasse_${t}` },
    ]);
  });

  it('make createsuperuser fail as for any taken username', async () => {
    const t = tag();
    await legacyUser(`straße_${t}`);
    const sql = superuserInsertSql({
      username: `Straße_${t}`,
      email: '',
      passwordHash: 'x',
      now: 0,
    });
    await expect(env.DB.prepare(sql).run()).rejects.toThrow(/UNIQUE constraint failed/);
  });

  it('receive the DRF tokens a dump names them by exactly, and no others', async () => {
    const t = tag();
    const id = await legacyUser(`ΟΔΟΣ_${t}`);
    const key = `${Date.now().toString(16)}${'0'.repeat(40)}`.slice(0, 40);
    const other = `${key.slice(0, 39)}f`;
    const rows = rowsFromDumpdata([
      { model: 'authtoken.token', pk: key, fields: { user: [`ΟΔΟΣ_${t}`] } },
      { model: 'authtoken.token', pk: other, fields: { user: [`Οδος_${t}`] } },
    ]);
    const report = await importDrfKeys(rows);
    expect(report.imported).toBe(1);
    expect(report.skipped.unknown_user).toBe(1);
    const res = await me(makeApp(), tokenHeader(key));
    expect(await res.json()).toMatchObject({ id });
  });
});

describe('the re-key (npm run rekey-usernames)', () => {
  it('rewrites old keys, after which every folded spelling logs in; a second run changes nothing', async () => {
    const t = tag();
    const ids = [
      await legacyUser(`ΟΔΟΣ_${t}`),
      await legacyUser(`Straße_${t}`),
      await legacyUser(`ꭰꭱ_${t}`),
      await legacyUser(`plain_${t}`),
    ];
    expect(await meId(`οδοσ_${t}`)).toBeNull();
    const plan = planRekey(await rows(ids));
    expect(plan.collisions).toEqual([]);
    expect(plan.changes.map((change) => change.to)).toEqual([
      `οδοσ_${t}`,
      `strasse_${t}`,
      `ᎠᎡ_${t}`,
    ]);
    await runSql(rekeySql(plan));
    expect(await meId(`οδοσ_${t}`)).toBe(ids[0]);
    expect(await meId(`ΟΔΟΣ_${t}`)).toBe(ids[0]);
    expect(await meId(`STRASSE_${t}`)).toBe(ids[1]);
    expect(await meId(`Straße_${t}`)).toBe(ids[1]);
    expect(await meId(`ᎠᎡ_${t}`)).toBe(ids[2]);
    expect(await meId(`PLAIN_${t}`)).toBe(ids[3]);
    expect(planRekey(await rows(ids)).changes).toEqual([]);
  });

  it('changes nothing and lists the pairs when two accounts fold to one key', async () => {
    const t = tag();
    const ids = [
      await legacyUser(`straße_${t}`),
      await legacyUser(`οδος_${t}`),
      await legacyUser(`οδοσ_${t}`),
    ];
    // Only case folding sees this one: its keys (strasse_t) differ from straße_t's.
    const late = await makeUser(app, { username: `STRASSE_${t}`, email: '' });
    ids.push(late.id);
    const before = await rows(ids);
    const plan = planRekey(before);
    expect(describeCollisions(plan)).toEqual([
      `  id ${ids[0]} "straße_${t}" and id ${ids[3]} "STRASSE_${t}" both fold to "strasse_${t}"`,
      `  id ${ids[1]} "οδος_${t}" and id ${ids[2]} "οδοσ_${t}" both fold to "οδοσ_${t}"`,
    ]);
    expect(() => rekeySql(plan)).toThrow(/collide/);
    expect(await rows(ids)).toEqual(before);
    // Meanwhile each account still answers to its own username.
    expect(await meId(`straße_${t}`)).toBe(ids[0]);
    expect(await meId(`STRASSE_${t}`)).toBe(ids[3]);
  });

  it('leaves alone a row whose key changed after it was read', async () => {
    const t = tag();
    const id = await legacyUser(`Straße_${t}`);
    const plan = planRekey(await rows([id]));
    await env.DB.prepare('UPDATE users SET username = ?, username_key = ? WHERE id = ?')
      .bind(`renamed_${t}`, `renamed_${t}`, id)
      .run();
    await runSql(rekeySql(plan));
    expect(await rows([id])).toEqual([
      { id, username: `renamed_${t}`, username_key: `renamed_${t}` },
    ]);
  });
});

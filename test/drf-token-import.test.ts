import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
  MAX_STATEMENT_BYTES,
  drfTokenImportPlan,
  formatImportReport,
  importReport,
  rowsFromCsv,
  rowsFromDumpdata,
} from '../scripts/lib/drf-token-sql';
import {
  bearer,
  call,
  importDrfKeys,
  makeApp,
  makeUser,
  me,
  obtainPair,
  postJson,
  tokenHeader,
} from './helpers';

const app = makeApp();

function key(seed: number): string {
  return seed.toString(16).padStart(40, 'a');
}

const NOTHING_SKIPPED = {
  malformed_key: 0,
  repeated_in_dump: 0,
  unknown_user: 0,
  already_imported: 0,
  revoked: 0,
};

/** "Log out everywhere" through the API; resolves once the user's revoked-before moment moved. */
async function logOutEverywhere(user: { username: string; password: string }): Promise<void> {
  const { access } = await obtainPair(app, user);
  const res = await postJson(app, '/api/token/logoutall/', {}, bearer(access));
  expect(res.status).toBe(200);
}

async function storedCreatedAt(userId: number): Promise<number[]> {
  const rows = await env.DB.prepare('SELECT created_at FROM api_tokens WHERE user_id = ?')
    .bind(userId)
    .all<{ created_at: number }>();
  return rows.results.map((row) => row.created_at);
}

describe('importing DRF authtoken keys', () => {
  it('keeps an imported key working for its user, stored only as a digest', async () => {
    const user = await makeUser(app);
    const drfKey = key(user.id);
    const report = await importDrfKeys([{ key: drfKey, user: { id: user.id } }]);
    expect(report).toEqual({ total: 1, imported: 1, skipped: NOTHING_SKIPPED });
    const res = await me(app, tokenHeader(drfKey));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: user.id });
    const stored = await env.DB.prepare('SELECT * FROM api_tokens WHERE user_id = ?')
      .bind(user.id)
      .all();
    expect(JSON.stringify(stored.results)).not.toContain(drfKey);
    expect(stored.results[0]).toMatchObject({
      created_via: 'import',
      name: 'drf import',
      expires_at: null,
    });
  });

  it('never gives a key to an account its username only matches by case or by compatibility form', async () => {
    // Django's usernames are case-sensitive: its ALICE may be another person than alice here.
    const user = await makeUser(app);
    const upper = key(user.id + 200_000);
    const fullwidth = key(user.id + 300_000);
    const wide = [...user.username]
      .map((c) => (/[a-z]/.test(c) ? String.fromCodePoint(c.codePointAt(0)! + 0xfee0) : c))
      .join('');
    const rows = rowsFromDumpdata([
      { model: 'authtoken.token', pk: upper, fields: { user: [user.username.toUpperCase()] } },
      { model: 'authtoken.token', pk: fullwidth, fields: { user: [wide] } },
    ]);
    const report = await importDrfKeys(rows);
    expect(report.imported).toBe(0);
    expect(report.skipped.unknown_user).toBe(2);
    expect((await me(app, tokenHeader(upper))).status).toBe(401);
    expect((await me(app, tokenHeader(fullwidth))).status).toBe(401);
  });

  it('finds users by username (dumpdata --natural-foreign)', async () => {
    const user = await makeUser(app);
    const drfKey = key(user.id + 100_000);
    const rows = rowsFromDumpdata([
      {
        model: 'authtoken.token',
        pk: drfKey,
        fields: { user: [user.username], created: '2024-05-01T10:00:00.123Z' },
      },
      { model: 'auth.user', pk: 1, fields: {} },
    ]);
    expect(rows).toHaveLength(1);
    const report = await importDrfKeys(rows, { dumpedAt: Date.parse('2024-04-01T00:00:00Z') });
    expect(report.imported).toBe(1);
    expect((await me(app, tokenHeader(drfKey))).status).toBe(200);
    const listed = await call(app, '/api/tokens/', {
      headers: { Authorization: `Token ${drfKey}` },
    });
    expect(await listed.json()).toEqual([
      expect.objectContaining({
        created: '2024-05-01T10:00:00.123Z',
        created_via: 'import',
        current: true,
      }),
    ]);
  });

  it('reads CSV with a header, skips rows of unknown users, and is idempotent', async () => {
    const user = await makeUser(app);
    const known = key(user.id + 200_000);
    const orphan = key(user.id + 300_000);
    const csv = `key,user_id,created\n${known},${user.id},2024-01-01T00:00:00Z\n"${orphan}",999999,\n`;
    const rows = rowsFromCsv(csv);
    expect(rows.map((row) => row.key)).toEqual([known, orphan]);
    expect(await importDrfKeys(rows)).toEqual({
      total: 2,
      imported: 1,
      skipped: { ...NOTHING_SKIPPED, unknown_user: 1 },
    });
    expect(await importDrfKeys(rows)).toEqual({
      total: 2,
      imported: 0,
      skipped: { ...NOTHING_SKIPPED, unknown_user: 1, already_imported: 1 },
    });
    expect((await me(app, tokenHeader(known))).status).toBe(200);
    expect((await me(app, tokenHeader(orphan))).status).toBe(401);
    const count = await env.DB.prepare('SELECT count(*) AS n FROM api_tokens WHERE user_id = ?')
      .bind(user.id)
      .first<{ n: number }>();
    expect(count!.n).toBe(1);
  });

  it('keeps a key alive whose user logged out everywhere before the dump was taken', async () => {
    const user = await makeUser(app);
    await logOutEverywhere(user);
    const drfKey = key(user.id + 400_000);
    const created = Date.parse('2024-03-01T00:00:00Z');
    const dumpedAt = Date.now();
    const report = await importDrfKeys([{ key: drfKey, user: { id: user.id }, created }], {
      dumpedAt,
    });
    expect(report.imported).toBe(1);
    expect((await me(app, tokenHeader(drfKey))).status).toBe(200);
    expect(await storedCreatedAt(user.id)).toEqual([dumpedAt]);
  });

  it('skips, and reports, a key whose user logged out everywhere after the dump', async () => {
    const user = await makeUser(app);
    const dumpedAt = Date.now() - 60_000;
    await logOutEverywhere(user);
    const drfKey = key(user.id + 500_000);
    const report = await importDrfKeys([{ key: drfKey, user: { id: user.id } }], { dumpedAt });
    expect(report).toEqual({
      total: 1,
      imported: 0,
      skipped: { ...NOTHING_SKIPPED, revoked: 1 },
    });
    expect((await me(app, tokenHeader(drfKey))).status).toBe(401);
    expect(await storedCreatedAt(user.id)).toEqual([]);
  });

  it('reports exact counts, with the reason for every skipped key', async () => {
    const alice = await makeUser(app);
    const bob = await makeUser(app);
    const early = Date.now() - 60_000;
    await logOutEverywhere(bob);
    const base = alice.id * 1000 + 600_000;
    await importDrfKeys([{ key: key(base), user: { id: alice.id } }]);
    const report = await importDrfKeys(
      [
        { key: key(base + 1), user: { id: alice.id } },
        { key: key(base + 2), user: { username: alice.username } },
        { key: 'NOT-A-KEY', user: { id: alice.id } },
        { key: key(base + 1), user: { id: alice.id } },
        { key: key(base + 3), user: { id: 987_654_321 } },
        { key: key(base + 4), user: { username: 'nobody-by-that-name' } },
        { key: key(base), user: { id: alice.id } },
        { key: key(base + 5), user: { id: bob.id } },
      ],
      { dumpedAt: early },
    );
    expect(report).toEqual({
      total: 8,
      imported: 2,
      skipped: {
        malformed_key: 1,
        repeated_in_dump: 1,
        unknown_user: 2,
        already_imported: 1,
        revoked: 1,
      },
    });
    expect(formatImportReport(report)).toBe(
      [
        'Imported 2 of 8 DRF tokens; skipped 6.',
        '  skipped 1: malformed key (not 40 lower-case hex digits)',
        '  skipped 1: the same key again in the dump',
        '  skipped 2: no such user in edgeauth',
        '  skipped 1: already imported',
        "  skipped 1: the user's credentials were revoked after the dump was taken (log out everywhere or deactivation)",
      ].join('\n'),
    );
    expect((await me(app, tokenHeader(key(base + 2)))).status).toBe(200);
  });

  it('never dates a key later than the import, so no future revocation can miss it', async () => {
    const user = await makeUser(app);
    const before = Date.now();
    const created = Date.parse('2999-01-01T00:00:00Z');
    await importDrfKeys([{ key: key(user.id + 700_000), user: { id: user.id }, created }]);
    const [createdAt] = await storedCreatedAt(user.id);
    expect(createdAt).toBeGreaterThanOrEqual(before);
    expect(createdAt).toBeLessThanOrEqual(Date.now());
  });

  it('leaves no staging table behind', async () => {
    await importDrfKeys([{ key: key(800_000), user: { id: 1 } }]);
    const tables = await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'drf_token_import%'",
    ).all();
    expect(tables.results).toEqual([]);
  });

  it('refuses bad headers and dumps, and counts that do not add up', async () => {
    expect(() => rowsFromCsv('token,owner\nx,y')).toThrow(/header needs `key`/);
    expect(() => rowsFromDumpdata({})).toThrow(/JSON array/);
    const options = { dumpedAt: 0, now: 0, table: 'bad name; DROP TABLE users' };
    await expect(drfTokenImportPlan([], options)).rejects.toThrow(/plain name/);
    const plan = await drfTokenImportPlan([{ key: key(1), user: { id: 1 } }], {
      ...options,
      table: 'drf_token_import_x',
    });
    expect(() => importReport(plan, [])).toThrow(/0 of 1 rows accounted for/);
    expect(() => importReport(plan, [{ outcome: 'lost', n: 1 }])).toThrow(/unexpected outcome/);
  });

  it('reads quoted CSV fields as RFC 4180 does: a comma inside quotes is part of the name', async () => {
    const user = await makeUser(app);
    const drfKey = key(user.id + 400_000);
    const rows = rowsFromCsv(
      `key,username,created\n${drfKey},"${user.username}, junior",2020-01-01T00:00:00Z\n`,
    );
    expect(rows).toEqual([
      {
        key: drfKey,
        user: { username: `${user.username}, junior` },
        created: Date.parse('2020-01-01T00:00:00Z'),
      },
    ]);
    const report = await importDrfKeys(rows);
    expect(report.skipped.unknown_user).toBe(1);
    expect((await me(app, tokenHeader(drfKey))).status).toBe(401);
  });

  it('refuses a CSV it cannot read for sure instead of guessing', () => {
    expect(() => rowsFromCsv('key,username\nabc,smi"th\n')).toThrow(/malformed CSV/);
    expect(() => rowsFromCsv('key,username\nabc,"smith\n')).toThrow(/malformed CSV/);
    expect(() => rowsFromCsv('key,username\nabc,smith,extra\n')).toThrow(/3 fields/);
  });

  it('keeps every statement under the D1 size limit, even for long non-ASCII usernames', async () => {
    const name = '\u{20000}'.repeat(150);
    const rows = Array.from({ length: 300 }, (_, i) => ({
      key: key(500_000 + i),
      user: { username: name },
    }));
    const now = Date.now();
    const plan = await drfTokenImportPlan(rows, {
      dumpedAt: now,
      now,
      table: 'drf_token_import_size',
    });
    const sizes = plan.statements.map((sql) => new TextEncoder().encode(sql).length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_STATEMENT_BYTES);
    const report = await importDrfKeys(rows);
    expect(report.skipped.unknown_user).toBe(300);
  });
});

import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { drfTokenInsertSql, rowsFromCsv, rowsFromDumpdata } from '../scripts/lib/drf-token-sql';
import { call, makeApp, makeUser } from './helpers';

const app = makeApp();

function key(seed: number): string {
  return seed.toString(16).padStart(40, 'a');
}

async function run(statements: string[]) {
  for (const statement of statements) await env.DB.prepare(statement).run();
}

function me(token: string) {
  return call(app, '/api/me/', { headers: { Authorization: `Token ${token}` } });
}

describe('importing DRF authtoken keys', () => {
  it('keeps an imported key working for its user, stored only as a digest', async () => {
    const user = await makeUser(app);
    const drfKey = key(user.id);
    await run([await drfTokenInsertSql({ key: drfKey, user: { id: user.id } }, Date.now())]);
    const res = await me(drfKey);
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

  it('finds users by username (dumpdata --natural-foreign), case-insensitively', async () => {
    const user = await makeUser(app);
    const drfKey = key(user.id + 100_000);
    const rows = rowsFromDumpdata([
      {
        model: 'authtoken.token',
        pk: drfKey,
        fields: { user: [user.username.toUpperCase()], created: '2024-05-01T10:00:00.123Z' },
      },
      { model: 'auth.user', pk: 1, fields: {} },
    ]);
    expect(rows).toHaveLength(1);
    await run(await Promise.all(rows.map((row) => drfTokenInsertSql(row, Date.now()))));
    expect((await me(drfKey)).status).toBe(200);
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
    const statements = await Promise.all(rows.map((row) => drfTokenInsertSql(row, Date.now())));
    await run(statements);
    await run(statements);
    expect((await me(known)).status).toBe(200);
    expect((await me(orphan)).status).toBe(401);
    const count = await env.DB.prepare('SELECT count(*) AS n FROM api_tokens WHERE user_id = ?')
      .bind(user.id)
      .first<{ n: number }>();
    expect(count!.n).toBe(1);
  });

  it('refuses malformed keys and headers', async () => {
    await expect(drfTokenInsertSql({ key: 'ABC', user: { id: 1 } }, 0)).rejects.toThrow(
      /40 lower-case hex/,
    );
    expect(() => rowsFromCsv('token,owner\nx,y')).toThrow(/header needs `key`/);
    expect(() => rowsFromDumpdata({})).toThrow(/JSON array/);
  });
});

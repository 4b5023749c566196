import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createPasswordHasher } from '../src/crypto/password';
import { sqlString, superuserInsertSql } from '../scripts/lib/superuser-sql';
import { PASSWORD, basic, makeApp, me, uniqueName } from './helpers';

describe('createsuperuser SQL', () => {
  it('escapes quotes and refuses NUL', () => {
    expect(sqlString("o'brien")).toBe("'o''brien'");
    expect(() => sqlString('a\0b')).toThrow();
  });

  it('creates an active staff superuser who can log in', async () => {
    const app = makeApp({ settings: { DEFAULT_AUTHENTICATION_CLASSES: 'BasicAuthentication' } });
    const username = uniqueName('Admin');
    const passwordHash = await createPasswordHasher({
      memoryKiB: 64,
      iterations: 1,
      parallelism: 1,
    }).hash(PASSWORD);
    const sql = superuserInsertSql({
      username,
      email: "o'admin@example.com",
      passwordHash,
      now: Date.now(),
    });
    await env.DB.prepare(sql).run();

    const res = await me(app, basic(username.toLowerCase(), PASSWORD));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ username, email: "o'admin@example.com" });
    const row = await env.DB.prepare(
      'SELECT is_active, is_staff, is_superuser FROM users WHERE username = ?',
    )
      .bind(username)
      .first();
    expect(row).toEqual({ is_active: 1, is_staff: 1, is_superuser: 1 });
  });
});

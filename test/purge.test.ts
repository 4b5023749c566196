import { createScheduledController, env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import worker from '../src/index';
import { PASSWORD, makeApp, makeUser, me, obtainPair, postJson, tokenHeader } from './helpers';

afterEach(() => {
  vi.useRealTimers();
});

async function count(table: string, userId: number): Promise<number> {
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE user_id = ?`)
    .bind(userId)
    .first<{ n: number }>();
  return row!.n;
}

describe('the scheduled purge', () => {
  it('deletes expired tokens and refresh families, and keeps live ones', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.parse('2033-03-01T00:00:00Z');
    vi.setSystemTime(start);
    const app = makeApp({ settings: { TOKEN_TTL: '1h' } });
    const user = await makeUser(app);
    const login = { username: user.username, password: PASSWORD };
    await postJson(app, '/api-token-auth/', login);
    await obtainPair(app, user);
    expect(await count('api_tokens', user.id)).toBe(1);
    expect(await count('refresh_families', user.id)).toBe(1);

    vi.setSystemTime(start + 2 * 86_400_000);
    const fresh = (await (await postJson(app, '/api-token-auth/', login)).json()) as {
      token: string;
    };
    await obtainPair(app, user);

    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await worker.scheduled(createScheduledController(), env);
    expect(log).toHaveBeenCalledWith(
      expect.stringMatching(
        /^edgeauth purge: \d+ expired tokens, \d+ refresh families, \d+ reset tokens, \d+ email confirmations$/,
      ),
    );
    log.mockRestore();

    expect(await count('api_tokens', user.id)).toBe(1);
    expect(await count('refresh_families', user.id)).toBe(1);
    expect((await me(app, tokenHeader(fresh.token))).status).toBe(200);
  });

  it('has a cron trigger that runs it', async () => {
    const toml = (await import('../wrangler.toml?raw')).default;
    expect(toml).toMatch(/\[triggers\]\s*crons = \["[^"]+"\]/);
  });
});

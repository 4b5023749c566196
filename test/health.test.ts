import { SELF } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { call, makeApp, unreachableD1, unreachableKV } from './helpers';

describe('GET /api/health/', () => {
  it('answers 200 when D1 and both KV namespaces answer', async () => {
    const res = await SELF.fetch('http://localhost/api/health/');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ok',
      checks: { d1: 'ok', kv: 'ok' },
    });
  });

  it.each([
    ['D1', { DB: unreachableD1() }, { d1: 'unavailable', kv: 'ok' }],
    ['KV', { KV: unreachableKV() }, { d1: 'ok', kv: 'unavailable' }],
  ])(
    'answers 503 naming %s when it is unreachable, and logs it',
    async (_name, bindings, checks) => {
      const log = vi.spyOn(console, 'error').mockImplementation(() => {});
      const res = await call(makeApp({ bindings }), '/api/health/');
      expect(res.status).toBe(503);
      expect(res.headers.get('Retry-After')).toBe('5');
      expect(await res.json()).toEqual({
        detail: 'The authentication service is temporarily unavailable. Try again later.',
        code: 'service_unavailable',
        checks,
      });
      expect(log).toHaveBeenCalledWith(expect.stringMatching(/^edgeauth health: .* unavailable/));
      log.mockRestore();
    },
  );

  it('needs no credentials and ignores bad ones', async () => {
    const res = await SELF.fetch('http://localhost/api/health', {
      headers: { Authorization: 'Basic !!' },
    });
    expect(res.status).toBe(200);
  });
});

/**
 * Property-based fuzzing of the whole Worker, inside workerd, through its
 * real entry, on real local D1, KV and static assets: generated requests
 * (methods, paths under every route with path tricks, credentials real and
 * forged and junk, cookies, CSRF headers, bodies of every type, broken and
 * huge) must each get an answer below 500 that echoes none of the request's
 * secrets and has the shape its route promises (`oracle.ts`), with a status
 * the OpenAPI document lists for its operation (`documented.ts`).
 *
 * `npm test` runs a fixed seed; `npm run fuzz` runs 10,000 cases with a
 * random seed (`test/fuzz/vitest.fuzz.config.ts`). Replay a run with
 * `FUZZ_SEED=<seed> FUZZ_RUNS=<runs> npm run fuzz`, and a shrunk
 * counterexample with `FUZZ_PATH=<path>` too.
 */
import { env } from 'cloudflare:test';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { parseConfig } from '../../src/config';
import { cloudflareStores } from '../../src/storage/cloudflare';
import { documentedOperations, undocumented } from './documented';
import { echoOf, isDrfError, violations, type Exchange } from './oracle';
import { fuzzCase } from './requests';
import { ROUTES, honoPath } from './routes';
import { Runner } from './runner';

/** CI's fixed seed and case count (`npm run fuzz` passes others through bindings). */
const SEED = Number(env.FUZZ_SEED ?? 20_261_130);
const RUNS = Number(env.FUZZ_RUNS ?? 2_000);

/** A secret the oracle's own test sends and finds again. */
const SECRET = 'Zq8RkV2mXw4NpL7tYc3HbJ9s';

describe('fuzzing the Worker: no input gets a 5xx, a leak or the wrong shape', () => {
  let runner: Runner;

  beforeAll(async () => {
    runner = await Runner.create();
  });

  it('knows every route the app registers', () => {
    const vars = env as unknown as Record<string, unknown>;
    const app = createApp(parseConfig(vars), cloudflareStores(env));
    const registered = new Set(
      app.routes.map((route) => route.path).filter((path) => path !== '/*' && path !== '*'),
    );
    const known = new Set(ROUTES.map((route) => honoPath(route.path)));
    expect([...registered].filter((path) => !known.has(path))).toEqual([]);
  });

  it('has an oracle that catches an echoed secret, a 5xx and a body not in DRF’s shape', () => {
    expect(echoOf(SECRET, 'JSON parse error - "password=Zq8RkV2mXw"...')).toBe('Zq8RkV2mXw');
    expect(echoOf(SECRET, '{"detail": "Invalid token."}')).toBeUndefined();
    expect(isDrfError({ detail: 'Not found.', code: 'not_found' })).toBe(true);
    expect(isDrfError({ username: ['This field is required.'] })).toBe(true);
    expect(isDrfError({ detail: 'Not found.' })).toBe(false);
    expect(isDrfError({ error: 'x' })).toBe(false);
    const x: Exchange = {
      target: 'default',
      request: new Request('http://localhost/api/token/', { method: 'POST' }),
      secrets: [SECRET],
      serverSecrets: [env.SECRET_KEY],
      credentialed: false,
      answer: {
        status: 500,
        headers: new Headers({ 'Content-Type': 'text/plain' }),
        body: `Zq8RkV2mXw4N ${env.SECRET_KEY}`,
      },
    };
    expect(violations(x)).toEqual([
      'status 500',
      'the body echo a secret of the request ("Zq8RkV2mXw")',
      'the body contain a server secret',
      'a 500 on an API route is text/plain, not JSON',
    ]);
  });

  it('holds each answer to the statuses the OpenAPI document lists for its operation', () => {
    const documented = documentedOperations({
      paths: { '/api/tokens/{id}/': { delete: { responses: { 204: {}, 404: {} } } } },
    });
    const x = (method: string, status: number): Exchange => ({
      target: 'default',
      request: new Request('http://localhost/api/tokens/abc', { method }),
      secrets: [],
      serverSecrets: [],
      credentialed: false,
      answer: { status, headers: new Headers(), body: '' },
    });
    expect(undocumented(x('DELETE', 404), documented)).toEqual([]);
    expect(undocumented(x('DELETE', 403), documented)).toEqual([
      'a 403 the document does not list for DELETE (it lists 204, 404)',
    ]);
    // A method the document does not list is the route's 405, which the shape oracle checks.
    expect(undocumented(x('POST', 405), documented)).toEqual([]);
  });

  it('lets through only the documented 503 of a route that needs mail, where there is no mail backend', () => {
    const misconfigured = JSON.stringify({
      detail: 'The service is misconfigured; see the server log.',
      code: 'service_unavailable',
    });
    const exchange = (target: Exchange['target'], path: string, body: string): Exchange => ({
      target,
      request: new Request(`http://localhost${path}`, { method: 'POST' }),
      secrets: [],
      serverSecrets: [],
      credentialed: false,
      answer: {
        status: 503,
        headers: new Headers({ 'Content-Type': 'application/json' }),
        body,
      },
    });
    const resend = '/api/auth/registration/resend-email/';
    expect(violations(exchange('default', resend, misconfigured))).toEqual([]);
    expect(violations(exchange('cookie-es256', resend, misconfigured))).toEqual(['status 503']);
    expect(violations(exchange('default', '/api/token/', misconfigured))).toEqual(['status 503']);
    const other = JSON.stringify({ detail: 'Down.', code: 'service_unavailable' });
    expect(violations(exchange('default', resend, other))).toEqual(['status 503']);
  });

  it(
    `answers ${RUNS} generated requests (seed ${SEED}) below 500, echoing no secret, in the promised shape`,
    async () => {
      console.log(`fuzz: seed=${SEED} runs=${RUNS}; replay: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}`);
      const started = Date.now();
      const property = fc.asyncProperty(fuzzCase, (generated) => runner.run(generated));
      await fc.assert(property, { seed: SEED, numRuns: RUNS, path: env.FUZZ_PATH });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(`fuzz: ${runner.tally.summary()}; ${seconds} s`);
      // A short replay (FUZZ_PATH, a few runs) need not reach everything.
      if (RUNS >= 500 && env.FUZZ_PATH === undefined) expect(runner.tally.gaps()).toEqual([]);
    },
    Math.max(300_000, RUNS * 150),
  );
});

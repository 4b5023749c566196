/**
 * Probe: one authentication class's `authenticate(c)` on its own, with the
 * app's own settings and stores and storage reads answered from memory (see
 * memo.ts), so that its CPU cost can be told apart from the rest of the
 * request. The Hono context is captured from one real request and reused.
 */
import type { Context } from 'hono';
import { Hono } from 'hono';
import { edgeauth } from '../../src/app';
import { parseConfig } from '../../src/config';
import type { AppEnv, Bindings } from '../../src/env';
import { cloudflareStores } from '../../src/storage/cloudflare';
import { memoD1, memoKv, type Memo } from './memo';

const memo: Memo = { enabled: true, answers: new Map() };

export async function authenticatorOperation(
  className: string,
  authorization: string,
  env: Bindings,
): Promise<() => Promise<unknown>> {
  const memoEnv = { ...env, DB: memoD1(env.DB, memo), KV: memoKv(env.KV, memo) };
  const config = parseConfig(memoEnv as unknown as Record<string, unknown>);
  const app = new Hono<AppEnv>();
  app.use(edgeauth(config, cloudflareStores(memoEnv)));
  let captured: Context<AppEnv> | undefined;
  app.get('/', (c) => {
    captured = c;
    return c.body(null, 204);
  });
  await app.request('/', { headers: { Authorization: authorization } }, memoEnv);
  const c = captured!;
  const authenticator = Object.values(c.var.edgeauth.authenticators).find(
    (candidate) => candidate.name === className,
  );
  if (!authenticator) throw new Error(`no authentication class ${className}`);
  const run = async () => {
    const auth = await authenticator.authenticate(c);
    if (!auth) throw new Error(`${className} did not authenticate`);
    return auth;
  };
  await run();
  return run;
}

/**
 * Whole requests inside the isolate, for the micro-benchmarks: the real entry
 * (src/index.ts) serves a request built in the isolate, with no HTTP, no
 * socket and no wrk in the way. With `storage: 'local'` D1 and KV are the
 * local simulators (which run in the same workerd process and cost CPU
 * there); with `storage: 'memo'` their reads are answered from memory (see
 * memo.ts), which leaves the Worker's own CPU work per request.
 */
import edgeauth from '../../src/index';
import type { Bindings } from '../../src/env';
import { memoD1, memoKv, type Memo } from './memo';

export interface RequestSpec {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  storage: 'local' | 'memo';
}

const memo: Memo = { enabled: false, answers: new Map() };

/** A request for the Worker's entry, and a context that collects its `waitUntil` work. */
export function workerCall(spec: Omit<RequestSpec, 'storage'>) {
  const pending: Promise<unknown>[] = [];
  const ctx = {
    waitUntil: (promise: Promise<unknown>) => void pending.push(promise),
    passThroughOnException: () => undefined,
    props: {},
  } as unknown as ExecutionContext;
  const request = new Request(new URL(spec.path, 'http://127.0.0.1'), {
    method: spec.method,
    headers: spec.headers ?? {},
    ...(spec.body === undefined ? {} : { body: spec.body }),
  });
  return { request, ctx, pending };
}
let memoEnv: Bindings | undefined;

/** One env object per isolate (src/index.ts builds the app once per env object). */
function memoised(env: Bindings): Bindings {
  memoEnv ??= { ...env, DB: memoD1(env.DB, memo), KV: memoKv(env.KV, memo) };
  return memoEnv;
}

function serveOnce(spec: RequestSpec, env: Bindings): () => Promise<number> {
  return async () => {
    const { request, ctx, pending } = workerCall(spec);
    const response = await edgeauth.fetch(
      request as Parameters<typeof edgeauth.fetch>[0],
      env,
      ctx,
    );
    await response.text();
    await Promise.all(pending);
    return response.status;
  };
}

/**
 * Prepares a request operation. For `memo`, the request is served once with
 * real storage (so that throttled writes such as `last_used` have happened),
 * then once more to record the answers that the timed runs reuse.
 */
export async function requestOperation(
  spec: RequestSpec,
  env: Bindings,
): Promise<() => Promise<number>> {
  if (spec.storage === 'local') {
    const once = serveOnce(spec, env);
    await once();
    return once;
  }
  const once = serveOnce(spec, memoised(env));
  memo.enabled = false;
  await once();
  memo.enabled = true;
  await once();
  return once;
}

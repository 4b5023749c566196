/**
 * The helper Worker of `npm run bench` (never deployed, never part of
 * `npm test`). It is bundled by wrangler exactly as the real Worker is and
 * run in workerd by bench/server.ts, against the same local D1 and KV.
 *
 * - `POST /__bench/count` `{method, path, headers, body}`: serves that one
 *   request through the real entry (`src/index.ts`) with counting D1 and KV
 *   bindings, and answers the storage round trips it made (issued before the
 *   response was complete, and after), and how many tasks it handed to
 *   `waitUntil` (work the response does not wait for, such as `last_used`
 *   writes; their round trips are counted when they are issued).
 * - `POST /__bench/micro` `{op, iterations, alg?, key?}`: runs one
 *   micro-benchmark operation (see micro.ts).
 * - `POST /__bench/clock`: whether the isolate's clocks advance during CPU work.
 * - `GET /__bench/env`: whether `env` is the same object from one request to
 *   the next (src/index.ts builds the app once per `env` object).
 * - `/__memo/<path>`: the request for `<path>` served by the real entry with
 *   storage reads answered from memory (memo.ts), for loading over HTTP
 *   without the cost of the local D1 and KV simulators.
 */
import edgeauth from '../../src/index';
import type { Bindings } from '../../src/env';
import {
  countingD1,
  countingKv,
  difference,
  emptyCounts,
  snapshot,
  type StorageCounts,
} from './counting';
import { memoD1, memoKv, type Memo } from './memo';
import { workerCall } from './requests';
import { clockCheck, runMicro, type MicroRequest } from './micro';

interface CountRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

let counted: { env: Bindings; counts: StorageCounts } | undefined;

/** One env object for the whole isolate, as workerd gives the real Worker. */
function countedEnv(env: Bindings): { env: Bindings; counts: StorageCounts } {
  if (!counted) {
    const counts = emptyCounts();
    const wrapped = { ...env, DB: countingD1(env.DB, counts), KV: countingKv(env.KV, counts) };
    counted = { env: wrapped, counts };
  }
  return counted;
}

async function count(input: CountRequest, env: Bindings): Promise<Response> {
  const { env: wrapped, counts } = countedEnv(env);
  const { request, ctx, pending } = workerCall(input);
  const start = snapshot(counts);
  const response = await edgeauth.fetch(
    request as Parameters<typeof edgeauth.fetch>[0],
    wrapped,
    ctx,
  );
  const body = await response.text();
  const answered = snapshot(counts);
  await Promise.allSettled(pending);
  return Response.json({
    status: response.status,
    body,
    setCookies: response.headers.getSetCookie(),
    beforeResponse: difference(answered, start),
    afterResponse: difference(snapshot(counts), answered),
    waitUntil: pending.length,
  });
}

const seenEnvs = new WeakSet<object>();

const httpMemo: Memo = { enabled: true, answers: new Map() };
let httpMemoEnv: Bindings | undefined;

/** `/__memo/<path>`: the real entry, with storage reads recorded once and then answered from memory. */
async function memoised(request: Request, env: Bindings, ctx: ExecutionContext) {
  httpMemoEnv ??= { ...env, DB: memoD1(env.DB, httpMemo), KV: memoKv(env.KV, httpMemo) };
  const url = new URL(request.url);
  url.pathname = url.pathname.slice('/__memo'.length);
  const inner = new Request(url, request);
  return await edgeauth.fetch(inner as Parameters<typeof edgeauth.fetch>[0], httpMemoEnv, ctx);
}

export default {
  async fetch(request, env, ctx) {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith('/__memo/')) return memoised(request, env, ctx);
    try {
      if (pathname === '/__bench/count') return await count(await request.json(), env);
      if (pathname === '/__bench/micro') {
        return Response.json(await runMicro(await request.json<MicroRequest>(), env));
      }
      if (pathname === '/__bench/clock') return Response.json(await clockCheck());
      if (pathname === '/__bench/env') {
        const seen = seenEnvs.has(env);
        seenEnvs.add(env);
        return Response.json({ sameEnvAsBefore: seen });
      }
      return new Response('not a bench route', { status: 404 });
    } catch (err) {
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      return Response.json({ error: message }, { status: 500 });
    }
  },
} satisfies ExportedHandler<Bindings>;

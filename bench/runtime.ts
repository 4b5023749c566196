/**
 * The in-runtime half of `npm run bench`, driven from Node against the helper
 * Worker (bench/workerd/bench-worker.ts):
 *
 * - storage round trips of one request per authentication method, counted by
 *   wrapping the D1 and KV bindings the real entry (src/index.ts) receives;
 * - micro-benchmarks of the CPU work behind each method.
 *
 * Timing. On Cloudflare, `Date.now()` and `performance.now()` do not advance
 * while a Worker computes (only across I/O), so in-isolate timings can read
 * zero. The helper reports what workerd does locally (`clockCheck`), but the
 * figures here do not depend on it: each operation runs N times inside one
 * call, and the call is timed from Node (minus the cost of an empty call),
 * while workerd's own CPU time is read from /proc for the same interval.
 */
import { cpuSeconds } from './server';
import { median } from './measure';

export interface StorageTrips {
  d1: { roundTrips: number; statements: number; reads: number; writes: number };
  kv: { reads: number; keysRead: number; writes: number; deletes: number; lists: number };
}

export interface CountAnswer {
  status: number;
  body: string;
  setCookies: string[];
  beforeResponse: StorageTrips;
  afterResponse: StorageTrips;
  /** Tasks handed to `waitUntil`: work the response did not wait for. */
  waitUntil: number;
}

export interface CountedRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

async function postJson<T>(url: string, payload: unknown): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(payload),
  });
  const answer = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(`${url}: ${answer.error ?? response.status}`);
  return answer;
}

export function countRequest(baseUrl: string, request: CountedRequest): Promise<CountAnswer> {
  return postJson(`${baseUrl}/__bench/count`, request);
}

export interface MicroOp {
  /** As reported, e.g. `JWT verify ES256`. */
  label: string;
  op: string;
  alg?: string;
  key?: string;
  /** `request` operations: the request served inside the isolate, and its expected status. */
  request?: CountedRequest & { storage: 'local' | 'memo' };
  expect?: number;
  /** `probe` operations: ids of existing rows. */
  params?: { tokenId: string; userId: number; authorization?: string };
  /** At least this many iterations per timed call (slow operations such as argon2id). */
  minIterations?: number;
  /** `request` operations: which request case this is (see ops.ts). */
  caseId?: string;
}

export interface MicroResult {
  label: string;
  op: string;
  alg?: string;
  iterations: number;
  /**
   * Wall time per operation, measured from Node, call overhead removed: the
   * best of the repeats (on a shared machine noise only ever adds time).
   */
  msPerOp: number;
  /** The median of the repeats, for comparison. */
  medianMsPerOp: number;
  /** workerd CPU time per operation (user + system, from /proc), best of the repeats. */
  cpuMsPerOp?: number;
  /** The isolate's own clock per operation (best of the repeats); 0 when it does not advance. */
  insideMsPerOp: number;
  /** `request` operations: the status of the last answer, when not the expected one. */
  unexpectedStatus?: number;
  caseId?: string;
  storage?: 'local' | 'memo';
}

export interface MicroOptions {
  baseUrl: string;
  pid: number | undefined;
  ticksPerSecond: number;
  /** Wall time each timed call aims at. */
  targetMs: number;
  repeats: number;
}

interface Timed {
  wallMs: number;
  cpuMs?: number;
  insideMs: number;
  status?: number;
}

async function timedCall(options: MicroOptions, op: MicroOp, iterations: number): Promise<Timed> {
  const cpuBefore = cpuSeconds(options.pid, options.ticksPerSecond);
  const started = performance.now();
  const { label: _l, expect: _e, caseId: _c, minIterations: _m, ...payload } = op;
  const answer = await postJson<{ insideMs: number; status?: number }>(
    `${options.baseUrl}/__bench/micro`,
    { ...payload, iterations },
  );
  const wallMs = performance.now() - started;
  const cpuAfter = cpuSeconds(options.pid, options.ticksPerSecond);
  const cpuMs =
    cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) * 1000;
  return {
    wallMs,
    insideMs: answer.insideMs,
    ...(cpuMs === undefined ? {} : { cpuMs }),
    ...(answer.status === undefined ? {} : { status: answer.status }),
  };
}

/** Wall time of an empty call, subtracted from every timed call. */
async function callOverhead(options: MicroOptions): Promise<number> {
  const noop: MicroOp = { label: 'noop', op: 'noop' };
  await timedCall(options, noop, 1);
  const samples = [];
  for (let i = 0; i < 20; i++) samples.push((await timedCall(options, noop, 1)).wallMs);
  return median(samples);
}

/**
 * Iterations per call so that one call takes about `targetMs`: grows from 1
 * until a call lands between half and twice the target. A pause of the shared
 * machine during one call only costs another round.
 */
async function calibrate(options: MicroOptions, op: MicroOp, overhead: number): Promise<number> {
  const target = options.targetMs;
  let iterations = 1;
  for (let round = 0; round < 12; round++) {
    const ms = Math.max(0.001, (await timedCall(options, op, iterations)).wallMs - overhead);
    if (ms >= target / 2 && (ms <= target * 2 || iterations === 1)) break;
    const scaled = ms < target / 100 ? iterations * 10 : (iterations * target) / ms;
    iterations = Math.max(1, Math.min(1_000_000, Math.round(scaled)));
  }
  return iterations;
}

function summariseTimed(
  op: MicroOp,
  iterations: number,
  timed: Timed[],
  overhead: number,
): MicroResult {
  const cpu = timed.map((t) => t.cpuMs).filter((ms): ms is number => ms !== undefined);
  const wall = timed.map((t) => Math.max(0, t.wallMs - overhead));
  const status = timed.at(-1)?.status;
  return {
    label: op.label,
    op: op.op,
    ...(op.alg === undefined ? {} : { alg: op.alg }),
    ...(op.caseId === undefined ? {} : { caseId: op.caseId }),
    ...(op.request === undefined ? {} : { storage: op.request.storage }),
    iterations,
    msPerOp: Math.min(...wall) / iterations,
    medianMsPerOp: median(wall) / iterations,
    insideMsPerOp: Math.min(...timed.map((t) => t.insideMs)) / iterations,
    ...(cpu.length === timed.length ? { cpuMsPerOp: Math.min(...cpu) / iterations } : {}),
    ...(op.expect !== undefined && status !== op.expect ? { unexpectedStatus: status } : {}),
  };
}

export async function microBenchmarks(
  options: MicroOptions,
  ops: MicroOp[],
  log: (message: string) => void,
): Promise<MicroResult[]> {
  const overhead = await callOverhead(options);
  const results: MicroResult[] = [];
  for (const op of ops) {
    // The first call prepares (imports keys, makes the stored hash, records storage answers).
    await timedCall(options, op, 1);
    const iterations = Math.max(op.minIterations ?? 1, await calibrate(options, op, overhead));
    const timed: Timed[] = [];
    for (let i = 0; i < options.repeats; i++) timed.push(await timedCall(options, op, iterations));
    const result = summariseTimed(op, iterations, timed, overhead);
    const flag =
      result.unexpectedStatus === undefined ? '' : ` (answered ${result.unexpectedStatus}!)`;
    log(`  ${op.label}: ${formatMs(result.msPerOp)} ms/op${flag}`);
    results.push(result);
  }
  return results;
}

export interface ColdCall {
  wallMs: number;
  cpuMs?: number;
}

/**
 * The first `calls` single runs of `op` in a fresh isolate, one by one: the
 * first logins after an isolate starts, and how much one run varies
 * (argon2id's 19 MiB per hash makes it sensitive to the machine's memory
 * bandwidth and to garbage collection).
 */
export async function coldSeries(options: MicroOptions, op: MicroOp, calls: number) {
  const overhead = await callOverhead(options);
  const series: ColdCall[] = [];
  for (let i = 0; i < calls; i++) {
    const timed = await timedCall(options, op, 1);
    series.push({
      wallMs: Math.max(0, timed.wallMs - overhead),
      ...(timed.cpuMs === undefined ? {} : { cpuMs: timed.cpuMs }),
    });
  }
  return series;
}

export function formatMs(ms: number): string {
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(4);
}

export interface ClockCheck {
  perfDuringCpuMs: number;
  dateDuringCpuMs: number;
  perfAfterTimerMs: number;
}

export function clockCheck(baseUrl: string): Promise<ClockCheck> {
  return postJson(`${baseUrl}/__bench/clock`, {});
}

/** Whether workerd hands the Worker the same `env` object on every request. */
export async function envIsStable(baseUrl: string): Promise<boolean> {
  await fetch(`${baseUrl}/__bench/env`).then((response) => response.text());
  const second = await fetch(`${baseUrl}/__bench/env`);
  return ((await second.json()) as { sameEnvAsBefore: boolean }).sameEnvAsBefore;
}

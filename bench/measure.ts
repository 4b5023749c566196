/**
 * Measuring a set of cases against one Worker instance, so that every ratio
 * compares figures taken minutes apart at most on the same instance.
 *
 * Each case is first checked with one request (a case whose answer is not
 * the expected status is skipped and reported, never loaded), then warmed
 * up. Then come `rounds` rounds: the baseline is measured before the first
 * round and after every round, and each case's ratio in a round is its
 * requests/s over the mean of the two baselines around it. Interleaving
 * this way keeps slow drifts of a shared machine's load out of the ratios.
 * A case's figures are the medians over its rounds.
 */
import type { BenchCase } from './cases';
import { BASELINE } from './cases';
import { runWrk, type WrkOptions, type WrkRequest, type WrkResult } from './wrk';

export interface MeasureOptions {
  baseUrl: string;
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  threads: number;
  connections: number;
  maxRequests: number;
  /** Put before every path (the helper Worker's `/__memo` route). */
  prefix?: string;
  log: (message: string) => void;
}

export interface CaseResult {
  id: string;
  label: string;
  kind: BenchCase['kind'];
  target?: number;
  skipped?: string;
  runs: WrkResult[];
  ratios: number[];
  median?: {
    rps: number;
    ratio: number;
    p50Ms: number;
    p99Ms: number;
    ratioMin: number;
    ratioMax: number;
    requests: number;
    failures: number;
    capped: boolean;
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function requestFor(benchCase: BenchCase): Promise<WrkRequest> {
  return { ...benchCase.request, ...(benchCase.prepare ? await benchCase.prepare() : {}) };
}

/** One request with Node's fetch: does the case answer what it should? */
export async function check(baseUrl: string, benchCase: BenchCase): Promise<string | undefined> {
  const request = await requestFor(benchCase);
  const body =
    request.script === 'refresh'
      ? JSON.stringify({ refresh: request.refreshTokens?.[0] })
      : request.body;
  const headers =
    request.script === 'refresh' ? { 'Content-Type': 'application/json' } : request.headers;
  const response = await fetch(`${baseUrl}${request.path}`, {
    method: request.method,
    ...(headers ? { headers } : {}),
    ...(body ? { body } : {}),
  });
  const text = await response.text();
  if (response.status === request.expect) return undefined;
  return `answered ${response.status} instead of ${request.expect}: ${text.slice(0, 200)}`;
}

/** Waits until the isolate has finished what the last run left queued (argon2id is synchronous). */
export async function settle(baseUrl: string, path: string): Promise<void> {
  await (await fetch(`${baseUrl}${path}`, { method: 'OPTIONS' })).text();
  await new Promise((resolve) => setTimeout(resolve, 200));
}

function summarise(result: CaseResult): void {
  const { runs, ratios } = result;
  if (runs.length === 0) return;
  result.median = {
    rps: median(runs.map((run) => run.rps)),
    ratio: median(ratios),
    p50Ms: median(runs.map((run) => run.p50Ms)),
    p99Ms: median(runs.map((run) => run.p99Ms)),
    ratioMin: Math.min(...ratios),
    ratioMax: Math.max(...ratios),
    requests: runs.reduce((sum, run) => sum + run.requests, 0),
    failures: runs.reduce((sum, run) => sum + run.failures, 0),
    capped: runs.some((run) => run.capped),
  };
}

export async function measure(cases: BenchCase[], options: MeasureOptions): Promise<CaseResult[]> {
  const { baseUrl, log } = options;
  const wrkOptions = (seconds: number): WrkOptions => ({ ...options, seconds });
  const prefixed = (c: BenchCase): BenchCase => ({
    ...c,
    request: { ...c.request, path: `${options.prefix ?? ''}${c.request.path}` },
  });
  const baselineCase = prefixed(BASELINE);
  const all = [baselineCase, ...cases.map(prefixed)];
  const results = new Map<string, CaseResult>();
  for (const benchCase of all) {
    const { id, label, kind, target } = benchCase;
    const skipped = await check(baseUrl, benchCase);
    if (skipped) log(`  skipped ${label}: ${skipped}`);
    results.set(id, {
      id,
      label,
      kind,
      ...(target === undefined ? {} : { target }),
      ...(skipped ? { skipped } : {}),
      runs: [],
      ratios: [],
    });
  }
  if (results.get(BASELINE.id)!.skipped) throw new Error('the baseline route does not answer');
  const live = all.filter((benchCase) => !results.get(benchCase.id)!.skipped);
  const run = async (benchCase: BenchCase, seconds: number) => {
    const result = await runWrk(await requestFor(benchCase), wrkOptions(seconds));
    await settle(baseUrl, baselineCase.request.path);
    return result;
  };

  if (options.warmupSeconds > 0) {
    log(`  warm-up: ${live.length} cases × ${options.warmupSeconds} s`);
    for (const benchCase of live) await run(benchCase, options.warmupSeconds);
  }
  const baselines = [await run(baselineCase, options.seconds)];
  for (let round = 1; round <= options.rounds; round++) {
    log(
      `  round ${round}/${options.rounds}: ${live.length - 1} cases and the baseline × ${options.seconds} s`,
    );
    const roundRuns: [BenchCase, WrkResult][] = [];
    for (const benchCase of live.slice(1))
      roundRuns.push([benchCase, await run(benchCase, options.seconds)]);
    baselines.push(await run(baselineCase, options.seconds));
    const reference = (baselines.at(-2)!.rps + baselines.at(-1)!.rps) / 2;
    for (const [benchCase, result] of roundRuns) {
      const entry = results.get(benchCase.id)!;
      entry.runs.push(result);
      entry.ratios.push(result.rps / reference);
    }
  }
  const baseline = results.get(BASELINE.id)!;
  baseline.runs = baselines;
  baseline.ratios = baselines.map((result) => result.rps / median(baselines.map((b) => b.rps)));
  for (const result of results.values()) summarise(result);
  return [...results.values()];
}

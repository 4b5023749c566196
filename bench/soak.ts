/**
 * `npm run soak`: does the Worker's memory stay flat under load (issue 10)?
 *
 * Bundles the Worker and starts it in workerd through Miniflare exactly as
 * `npm run bench` does (bench/server.ts), with the V8 inspector open on
 * 127.0.0.1; seeds two accounts through the public API (bench/seed.ts); then
 * loads it with wrk for `--minutes` (10 by default) with a mix of every
 * authentication method and every login (bench/mix.lua), in segments of
 * `--interval` seconds. After each segment, every isolate of the workerd
 * process is garbage-collected and its heap read through the inspector, and
 * the process's RSS from /proc. It fails (exit 1) when the Worker isolate's
 * heap after GC grows by more than `--threshold` percent (10) between the
 * first and the last minute, or when any answer was not the expected one.
 * See bench/README.md; the figures are in bench/RESULTS.md.
 */
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as cases from './cases';
import type { BenchCase } from './cases';
import { createHarness, runHarness, sessionClassExists, workerVars } from './harness';
import { InspectorSession, listTargets, type HeapUsage } from './inspector';
import { check, settle } from './measure';
import { machine } from './report';
import * as seed from './seed';
import * as server from './server';
import * as soakReport from './soak-report';
import type { Sample, SoakReport } from './soak-report';
import { ensureWrk, runWrk } from './wrk';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    interval: { type: 'string', default: '30' },
    connections: { type: 'string', default: '4' },
    threshold: { type: 'string', default: '10' },
    'install-wrk': { type: 'boolean', default: false },
    'keep-tmp': { type: 'boolean', default: false },
  },
});

/** A number option within bounds: the soak is bounded in time whatever it is given. */
function bounded(name: string, value: string, min: number, max: number): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < min || number > max) {
    throw new Error(`--${name} must be a number from ${min} to ${max}, not ${value}`);
  }
  return number;
}

const settings = {
  totalSeconds: Math.round(bounded('minutes', args.minutes, 0.25, 60) * 60),
  intervalSeconds: bounded('interval', args.interval, 5, 300),
  connections: bounded('connections', args.connections, 1, 64),
  thresholdPercent: bounded('threshold', args.threshold, 0, 1000),
  threads: 1,
  // A safety net per segment, far above what one Worker answers in 5 minutes.
  maxRequests: 2_000_000,
};
const harness = createHarness('soak');
const { elapsed, log, tmp, persistDir } = harness;

/**
 * Per round of the mix: each authenticated `GET /api/me/` several times per
 * login, so that the cheap requests are most of the traffic (as in real use)
 * while each login (one argon2id verification, about 35 ms of CPU) still
 * runs thousands of times.
 */
const WEIGHTS: Record<string, number> = {
  'jwt-hs256': 6,
  token: 6,
  session: 6,
  basic: 1,
  login: 1,
  'api-token-auth': 1,
  'session-login': 1,
};

/**
 * The cases of the mix, built by bench/cases.ts. The logins run as a second
 * account, so that `POST /api-token-auth/` never retires the token the token
 * requests present (`TOKEN_LIMIT_PER_USER`).
 */
async function mixCases(url: string, sessions: boolean): Promise<BenchCase[]> {
  const account = seed.newAccount();
  const endpointAccount = seed.newAccount();
  await seed.register(url, account);
  await seed.register(url, endpointAccount);
  const { access } = await seed.obtainPair(url, account);
  const token = await seed.obtainAuthToken(url, account);
  const session = sessions ? await seed.sessionLogin(url, account) : {};
  if (sessions && session.cookie === undefined) throw new Error(`no session: ${session.skipped}`);
  const endpoints = cases.endpointCases(url, endpointAccount, settings.connections);
  const list = [
    ...cases.jwtCases('HS256', access),
    ...cases.tokenCases(token),
    ...cases.sessionCases(session),
    cases.basicCase(account),
    ...endpoints.filter((c) => c.id !== 'refresh'),
    ...(sessions ? [cases.sessionLoginCase(url, endpointAccount)] : []),
  ].filter((c) => WEIGHTS[c.id] !== undefined);
  for (const benchCase of list) {
    const problem = await check(url, benchCase);
    if (problem) throw new Error(`${benchCase.label} ${problem}`);
  }
  return list;
}

/** Heaps after GC of every isolate, through one inspector session each. */
async function openSessions(inspectorUrl: string): Promise<Map<string, InspectorSession>> {
  const sessions = new Map<string, InspectorSession>();
  for (const [target, url] of await listTargets(inspectorUrl)) {
    sessions.set(target, await InspectorSession.open(url));
  }
  return sessions;
}

async function heapsAfterGc(sessions: Map<string, InspectorSession>) {
  const heaps: Record<string, HeapUsage> = {};
  for (const [target, session] of sessions) heaps[target] = await session.heapAfterGc();
  return heaps;
}

/** Versions of what ran the Worker, for the report. */
function software(): Record<string, string> {
  const local = createRequire(import.meta.url);
  const fromWrangler = createRequire(local.resolve('wrangler/package.json'));
  const fromMiniflare = createRequire(fromWrangler.resolve('miniflare/package.json'));
  const version = (from: NodeJS.Require, name: string) =>
    (from(`${name}/package.json`) as { version: string }).version;
  return {
    node: process.version,
    wrangler: version(local, 'wrangler'),
    miniflare: version(fromWrangler, 'miniflare'),
    workerd: version(fromMiniflare, 'workerd'),
  };
}

interface LoadState {
  requests: number;
  failures: number;
}

async function loadAndSample(
  worker: server.WorkerInstance,
  mix: BenchCase[],
  targets: Map<string, InspectorSession>,
  workerTarget: string,
): Promise<{ samples: Sample[]; state: LoadState }> {
  const state: LoadState = { requests: 0, failures: 0 };
  const sample = async (loadSeconds: number, rps: number): Promise<Sample> => {
    const isolates = await heapsAfterGc(targets);
    const memory = soakReport.processMemory(worker.pid);
    const heap = isolates[workerTarget]!;
    const rss = memory ? `, workerd RSS ${Math.round(memory.rssKiB / 1024)} MiB` : '';
    log(
      `[${elapsed()}] ${loadSeconds} s of load, ${state.requests} answers: ` +
        `Worker heap ${(heap.used / 1024 / 1024).toFixed(2)} MiB${rss}`,
    );
    const base = { loadSeconds, requests: state.requests, rps, worker: heap, isolates };
    return memory ? { ...base, process: memory } : base;
  };
  const request = {
    method: 'GET',
    path: '/',
    expect: 200,
    script: 'mix' as const,
    mix: mix.flatMap((c) => Array<typeof c.request>(WEIGHTS[c.id]!).fill(c.request)),
  };
  const samples = [await sample(0, 0)];
  for (let done = 0; done < settings.totalSeconds;) {
    const seconds = Math.min(settings.intervalSeconds, settings.totalSeconds - done);
    const result = await runWrk(request, { ...settings, baseUrl: worker.url, seconds });
    await settle(worker.url, '/api/auth/register/');
    done += seconds;
    state.requests += result.requests;
    state.failures += result.failures;
    if (result.capped) throw new Error('a segment reached the request bound');
    samples.push(await sample(done, result.rps));
  }
  return { samples, state };
}

async function main(): Promise<number> {
  if (!ensureWrk(args['install-wrk'])) return 2;
  const atStart = machine();
  log(`soak: temporary state in ${tmp}; bundling with wrangler, applying migrations`);
  const script = await server.bundle(join(tmp, 'worker'));
  await server.applyMigrations(persistDir);
  const sessions = await sessionClassExists();
  const vars = workerVars(sessions);
  const worker = await server.startWorker({
    scriptPath: script,
    persistDir,
    vars,
    inspector: true,
  });
  const targets = await openSessions(worker.inspectorUrl!);
  const workerTarget = [...targets.keys()].find((target) => target.startsWith('core:user:'))!;
  try {
    log(`[${elapsed()}] Worker on ${worker.url} (pid ${worker.pid}): seeding`);
    const mix = await mixCases(worker.url, sessions);
    log(
      `[${elapsed()}] load for ${settings.totalSeconds} s, a sample every ${settings.intervalSeconds} s`,
    );
    const { samples, state } = await loadAndSample(worker, mix, targets, workerTarget);
    const report: SoakReport = {
      command: harness.command,
      machine: { ...atStart, loadAverageAtEnd: loadavg().map((v) => Number(v.toFixed(2))) },
      software: software(),
      options: { ...settings, DEFAULT_AUTHENTICATION_CLASSES: vars.DEFAULT_AUTHENTICATION_CLASSES },
      server: `workerd via Miniflare, production bundle, inspector on; Worker isolate ${workerTarget}`,
      mix: mix.map((c) => ({ label: c.label, weight: WEIGHTS[c.id]! })),
      samples,
      verdict: soakReport.verdict(
        samples,
        settings.totalSeconds,
        settings.thresholdPercent,
        state.failures,
      ),
      notes: [
        ...(sessions ? [] : ['no SessionAuthentication in this checkout: sessions left out']),
        `the run took ${elapsed()}`,
      ],
    };
    soakReport.printSoak(report, workerTarget);
    soakReport.writeSoakReport(join(server.ROOT, 'bench', 'out'), report, workerTarget);
    log(`wrote ${join('bench', 'out', 'soak.json')}`);
    return report.verdict.passed ? 0 : 1;
  } finally {
    for (const session of targets.values()) session.close();
    await worker.stop();
  }
}

await runHarness(harness, args['keep-tmp'], main);

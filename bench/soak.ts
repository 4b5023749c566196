/**
 * `npm run soak`: does the Worker's memory stay flat under load (issue 10)?
 *
 * Bundles the Worker and starts it in workerd through Miniflare exactly as
 * `npm run bench` does (bench/server.ts), with the V8 inspector open on
 * 127.0.0.1; seeds two accounts through the public API (bench/seed.ts); then
 * loads it with wrk on 127.0.0.1 with a mix of every authentication method and
 * every login (bench/mix.lua): first a warm-up of `--warmup` answers (5,000;
 * at most 5 minutes), then `--minutes` of measured load (10), in segments of
 * `--interval` seconds (30). After each segment every isolate of the workerd
 * process is garbage-collected and its heap read through the inspector, and
 * the process's RSS from /proc (bench/soak-sampler.ts). It fails (exit 1)
 * when the Worker isolate's heap after GC grows by more than `--threshold`
 * percent (10) between the first and the last minute of the measured load, or
 * when any answer was not the expected one. See bench/README.md; the figures
 * are in bench/RESULTS.md.
 */
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as cases from './cases';
import type { BenchCase } from './cases';
import { createHarness, runHarness, sessionClassExists, workerVars } from './harness';
import { check, settle } from './measure';
import { machine, type Machine } from './report';
import * as seed from './seed';
import * as server from './server';
import * as soakReport from './soak-report';
import type { SoakReport } from './soak-report';
import { createSampler, type Sample, type Sampler } from './soak-sampler';
import { ensureWrk, runWrk, type WrkRequest } from './wrk';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    interval: { type: 'string', default: '30' },
    connections: { type: 'string', default: '4' },
    threshold: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '5000' },
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
  warmupRequests: bounded('warmup', args.warmup, 0, 1_000_000),
  /** The warm-up stops after this long even if it has not reached `warmupRequests`. */
  warmupMaxSeconds: 300,
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
  /** Answers so far, warm-up included. */
  requests: number;
  failures: number;
  /** Answers and seconds of the warm-up. */
  warmupRequests: number;
  warmupSeconds: number;
}

/** Drives the load in segments of wrk and takes a sample after each. */
class Run {
  readonly state: LoadState = { requests: 0, failures: 0, warmupRequests: 0, warmupSeconds: 0 };
  readonly samples: Sample[] = [];
  private readonly request: WrkRequest;

  constructor(
    private readonly worker: server.WorkerInstance,
    mix: BenchCase[],
    private readonly sampler: Sampler,
  ) {
    const requests = mix.flatMap((c) => Array<WrkRequest>(WEIGHTS[c.id]!).fill(c.request));
    this.request = { method: 'GET', path: '/', expect: 200, script: 'mix', mix: requests };
  }

  /** One wrk run of `seconds`, then a pause until the isolate has caught up. */
  async segment(seconds: number) {
    const options = { ...settings, baseUrl: this.worker.url, seconds };
    const result = await runWrk(this.request, options);
    await settle(this.worker.url, '/api/auth/register/');
    this.state.requests += result.requests;
    this.state.failures += result.failures;
    if (result.capped) throw new Error('a segment reached the request bound');
    return result;
  }

  async sample(phase: Sample['phase'], loadSeconds: number, rps: number): Promise<void> {
    const taken = await this.sampler.sample(phase, loadSeconds, this.state.requests, rps);
    const memory = taken.process;
    const rss = memory ? `, workerd RSS ${Math.round(memory.rssKiB / 1024)} MiB` : '';
    const heap = (taken.worker.used / 1024 / 1024).toFixed(2);
    const when = phase === 'load' ? `${loadSeconds} s of load` : phase;
    log(`[${elapsed()}] ${when}, ${this.state.requests} answers: heap ${heap} MiB${rss}`);
    this.samples.push(taken);
  }

  /** Until `warmupRequests` answers, or `warmupMaxSeconds`, whichever comes first. */
  async warmUp(): Promise<void> {
    const { warmupRequests, warmupMaxSeconds, intervalSeconds } = settings;
    log(`[${elapsed()}] warm-up: ${warmupRequests} requests (at most ${warmupMaxSeconds} s)`);
    const state = this.state;
    while (state.requests < warmupRequests && state.warmupSeconds < warmupMaxSeconds) {
      const seconds = Math.min(intervalSeconds, warmupMaxSeconds - state.warmupSeconds);
      await this.segment(seconds);
      state.warmupSeconds += seconds;
    }
    state.warmupRequests = state.requests;
    await this.sample('warm-up', 0, state.requests / state.warmupSeconds);
  }

  async measure(): Promise<void> {
    const { totalSeconds, intervalSeconds } = settings;
    log(`[${elapsed()}] load for ${totalSeconds} s, a sample every ${intervalSeconds} s`);
    for (let done = 0; done < totalSeconds;) {
      const seconds = Math.min(intervalSeconds, totalSeconds - done);
      const result = await this.segment(seconds);
      done += seconds;
      await this.sample('load', done, result.rps);
    }
  }
}

/** What grew from the last sample of the first minute to the last sample. */
function growthOf(samples: Sample[], sampler: Sampler) {
  const firstMinute = samples.findLastIndex((s) => s.phase === 'load' && s.loadSeconds <= 60);
  const from = sampler.compositions[firstMinute];
  const to = sampler.compositions.at(-1);
  return from && to && firstMinute < samples.length - 1 ? soakReport.growth(from, to) : [];
}

function buildReport(
  context: { atStart: Machine; vars: Record<string, string>; sessions: boolean },
  mix: BenchCase[],
  sampler: Sampler,
  run: Run,
): SoakReport {
  const { samples, state } = run;
  const { totalSeconds, thresholdPercent } = settings;
  return {
    command: harness.command,
    machine: { ...context.atStart, loadAverageAtEnd: loadavg().map((v) => Number(v.toFixed(2))) },
    software: software(),
    options: {
      ...settings,
      DEFAULT_AUTHENTICATION_CLASSES: context.vars.DEFAULT_AUTHENTICATION_CLASSES,
    },
    server: `workerd via Miniflare, production bundle, inspector on; isolate ${sampler.workerTarget}`,
    mix: mix.map((c) => ({ label: c.label, weight: WEIGHTS[c.id]! })),
    samples,
    verdict: soakReport.verdict(samples, totalSeconds, thresholdPercent, state.failures),
    growth: growthOf(samples, sampler),
    notes: [
      ...(context.sessions ? [] : ['no SessionAuthentication in this checkout: sessions left out']),
      `warm-up: ${state.warmupRequests} answers in ${state.warmupSeconds} s`,
      `the run took ${elapsed()}`,
    ],
  };
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
  const sampler = await createSampler(worker);
  try {
    log(`[${elapsed()}] Worker on ${worker.url} (pid ${worker.pid}): seeding`);
    const mix = await mixCases(worker.url, sessions);
    const run = new Run(worker, mix, sampler);
    await run.sample('before', 0, 0);
    if (settings.warmupRequests > 0) await run.warmUp();
    await run.measure();
    const report = buildReport({ atStart, vars, sessions }, mix, sampler, run);
    soakReport.printSoak(report, sampler.workerTarget);
    soakReport.writeSoakReport(join(server.ROOT, 'bench', 'out'), report, sampler.workerTarget);
    log(`wrote ${join('bench', 'out', 'soak.json')}`);
    return report.verdict.passed ? 0 : 1;
  } finally {
    sampler.close();
    await worker.stop();
  }
}

await runHarness(harness, args['keep-tmp'], main);

/**
 * `npm run bench`: what authentication costs per request, measured side by
 * side (issue 6). See bench/README.md for what is measured and how; the
 * latest figures and their analysis are in bench/RESULTS.md.
 *
 * Phases: bundle the Worker and the helper Worker with wrangler, apply the
 * migrations to a temporary local D1, then for each JWT algorithm start the
 * Worker on 127.0.0.1, seed credentials through the public API, and load it
 * with wrk; finally run the helper Worker for storage round-trip counts, the
 * same load with storage reads answered from memory, and micro-benchmarks.
 * Every Worker started is stopped and the temporary directory removed,
 * whatever happens (Ctrl-C included).
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as cases from './cases';
import { createHarness, runHarness, sessionClassExists, workerVars } from './harness';
import { measure, type MeasureOptions } from './measure';
import { machine, printTable, writeReport, type InstanceReport, type Report } from './report';
import { cryptoOps, idsOf, privateKeyPem, probeOps, requestCases, requestOps } from './ops';
import { clockCheck, coldSeries, envIsStable, microBenchmarks } from './runtime';
import * as seed from './seed';
import * as server from './server';
import { countStorage } from './storage';
import { ensureWrk } from './wrk';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string' },
    algorithms: { type: 'string', default: 'ES256,EdDSA' },
    session: { type: 'string', default: process.env.BENCH_SESSION ?? 'auto' },
    micro: { type: 'boolean', default: true },
    'via-wrangler-dev': { type: 'boolean', default: false },
    'install-wrk': { type: 'boolean', default: false },
    'keep-tmp': { type: 'boolean', default: false },
  },
  allowNegative: true,
});

const quick = args.quick;
const settings = {
  rounds: Number(args.rounds ?? (quick ? 2 : 3)),
  seconds: Number(args.seconds ?? (quick ? 2 : 3)),
  warmupSeconds: Number(args.warmup ?? 1),
  threads: 1,
  connections: Number(args.connections ?? 4),
  maxRequests: 200_000,
};
const harness = createHarness('bench');
const { elapsed, log, tmp, persistDir } = harness;

async function start(scriptPath: string, vars: Record<string, string>) {
  if (args['via-wrangler-dev']) {
    return server.startWranglerDev({ persistDir, vars, envFile: join(tmp, 'bench.env') });
  }
  return server.startWorker({ scriptPath, persistDir, vars });
}

const measureOptions = (baseUrl: string): MeasureOptions => ({ ...settings, baseUrl, log });

/**
 * The session to load with, or why there is none: `--session=off`, no
 * `SessionAuthentication` class in this checkout, or no login route yet.
 * With `--session=on` a missing session is an error instead of a skip.
 */
async function sessionFor(url: string, account: seed.Account, vars: Record<string, string>) {
  let session: seed.Session;
  if (args.session === 'off') {
    session = { skipped: 'turned off (--session=off)' };
  } else {
    const login = await seed.sessionLogin(url, account);
    const hasClass = vars.DEFAULT_AUTHENTICATION_CLASSES!.includes('SessionAuthentication');
    session = hasClass
      ? login
      : {
          skipped:
            'SessionAuthentication is not in AUTHENTICATION_CLASS_NAMES (src/config/settings.ts)' +
            (login.skipped ? `; ${login.skipped}` : '; POST /api/auth/login/ answers, though'),
        };
  }
  if (session.skipped && args.session === 'on') {
    throw new Error(`--session=on, but no session: ${session.skipped}`);
  }
  return session;
}

/**
 * The HS256 instance. The credential endpoints run as a second account: each
 * `POST /api-token-auth/` issues a token, and at `TOKEN_LIMIT_PER_USER` one
 * is retired, which must never be the token the token cases present.
 */
async function mainInstance(
  script: string,
  vars: Record<string, string>,
  account: seed.Account,
  endpointAccount: seed.Account,
) {
  const worker = await start(script, vars);
  try {
    log(`[${elapsed()}] HS256 instance on ${worker.url}: seeding through the public API`);
    await seed.register(worker.url, account);
    await seed.register(worker.url, endpointAccount);
    const { access } = await seed.obtainPair(worker.url, account);
    const token = await seed.obtainAuthToken(worker.url, account);
    const session = await sessionFor(worker.url, account, vars);
    if (session.skipped) log(`  session cases skipped: ${session.skipped}`);
    const list = [
      ...cases.REFERENCES,
      ...cases.jwtCases('HS256', access),
      ...cases.tokenCases(token),
      ...cases.sessionCases(session),
      cases.basicCase(account),
      ...cases.endpointCases(worker.url, endpointAccount, settings.connections),
    ];
    const results = await measure(list, measureOptions(worker.url));
    return { results, sessionSkipped: session.skipped };
  } finally {
    await worker.stop();
  }
}

/** An instance signing with an asymmetric algorithm: baseline and JWT only. */
async function jwtInstance(script: string, vars: Record<string, string>, account: seed.Account) {
  const worker = await start(script, vars);
  try {
    log(`[${elapsed()}] ${vars.ALGORITHM} instance on ${worker.url}`);
    const { access } = await seed.obtainPair(worker.url, account);
    return await measure(cases.jwtCases(vars.ALGORITHM!, access), measureOptions(worker.url));
  } finally {
    await worker.stop();
  }
}

/**
 * The cases loaded again over HTTP on the helper Worker's `/__memo` route,
 * where the real entry answers with storage reads from memory: the ratios
 * without the CPU the local D1 and KV simulators spend in the same process.
 */
function memoCases(credentials: Record<string, Record<string, string>>) {
  const value = (headers: Record<string, string> | undefined, scheme: string) =>
    headers?.Authorization?.slice(scheme.length + 1) ?? '';
  return [
    ...cases.REFERENCES.filter((c) => c.id === 'health'),
    ...cases.jwtCases('HS256', value(credentials.jwt, 'Bearer')),
    ...cases.tokenCases(value(credentials.token, 'Token')),
    ...cases.sessionCases(credentials.session ? { cookie: credentials.session.Cookie! } : {}),
  ];
}

async function runtimePhase(
  script: string,
  vars: Record<string, string>,
  account: seed.Account,
  sessions: boolean,
) {
  // A day between last_used writes, so that a token row answered from memory never calls for one.
  const helperVars = { ...vars, TOKEN_MIN_REFRESH_INTERVAL: '1d' };
  const worker = await server.startWorker({ scriptPath: script, persistDir, vars: helperVars });
  try {
    log(
      `[${elapsed()}] helper Worker on ${worker.url}: storage round trips, storage from memory, micro-benchmarks`,
    );
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const options = {
      baseUrl: worker.url,
      pid: worker.pid,
      ticksPerSecond: ticks,
      targetMs: 200,
      repeats: 3,
    };
    // First, while the isolate is fresh: its first password hashes, one by one.
    const argon2Cold = args.micro
      ? await coldSeries(options, { label: 'argon2id hash', op: 'argon2id.hash' }, 12)
      : undefined;
    const clock = await clockCheck(worker.url);
    const envStable = await envIsStable(worker.url);
    const { credentials, ...storage } = await countStorage(worker.url, account, sessions);
    log(`[${elapsed()}] load with storage reads answered from memory (/__memo)`);
    const memo = await measure(memoCases(credentials), {
      ...measureOptions(worker.url),
      prefix: '/__memo',
    });
    if (!args.micro) return { clock, envStable, storage, memo };
    const requests = requestCases(credentials);
    const ids = idsOf(credentials);
    const ops = [...(await cryptoOps()), ...probeOps(ids, credentials), ...requestOps(requests)];
    log(`[${elapsed()}] micro-benchmarks`);
    const micro = await microBenchmarks(options, ops, log);
    return { clock, envStable, storage, memo, micro, requests, argon2Cold };
  } finally {
    await worker.stop();
  }
}

async function main(): Promise<number> {
  if (!ensureWrk(args['install-wrk'])) return 2;
  const report: Report = {
    command: harness.command,
    machine: machine(),
    options: { ...settings, algorithms: args.algorithms, session: args.session },
    server: args['via-wrangler-dev']
      ? 'wrangler dev --local (comparison mode: proxy worker in front)'
      : 'workerd via Miniflare (the library under wrangler dev), production bundle',
    instances: [],
    notes: [],
  };
  log(`bench: temporary state in ${tmp}; bundling with wrangler, applying migrations`);
  const script = await server.bundle(join(tmp, 'worker'));
  const helper = await server.bundle(join(tmp, 'helper'), 'bench/workerd/bench-worker.ts');
  await server.applyMigrations(persistDir);

  const sessions = args.session !== 'off' && (await sessionClassExists());
  const vars = workerVars(sessions);
  const shown = { DEFAULT_AUTHENTICATION_CLASSES: vars.DEFAULT_AUTHENTICATION_CLASSES! };
  const account = seed.newAccount();
  const endpointAccount = seed.newAccount();

  const main = await mainInstance(script, vars, account, endpointAccount);
  report.instances.push({ name: 'HS256', settings: shown, cases: main.results });
  if (main.sessionSkipped) report.notes.push(`session cases skipped: ${main.sessionSkipped}`);
  for (const algorithm of args.algorithms.split(',').filter(Boolean)) {
    const keyed = { ...vars, ALGORITHM: algorithm, SIGNING_KEY: await privateKeyPem(algorithm) };
    const results = await jwtInstance(script, keyed, account);
    const instance: InstanceReport = {
      name: algorithm,
      settings: { ALGORITHM: algorithm },
      cases: results,
    };
    report.instances.push(instance);
  }
  const runtime = await runtimePhase(helper, vars, account, sessions && !main.sessionSkipped);
  report.storage = runtime.storage;
  report.instances.push({
    name: 'HS256, storage reads from memory (helper Worker, /__memo)',
    settings: { TOKEN_MIN_REFRESH_INTERVAL: '1d' },
    cases: runtime.memo,
  });
  if (runtime.micro) report.micro = runtime.micro;
  if (runtime.requests)
    report.requestCases = runtime.requests.map(({ headers: _h, ...rest }) => rest);
  report.runtime = {
    clock: runtime.clock,
    envStable: runtime.envStable,
    argon2Params: 'm=19456,t=2,p=1',
    ...(runtime.argon2Cold ? { argon2FirstHashes: runtime.argon2Cold } : {}),
  };
  if (!runtime.envStable)
    report.notes.push('workerd gave a new env object per request: the app is rebuilt per request');
  report.machine.loadAverageAtEnd = loadavg().map((value) => Number(value.toFixed(2)));

  report.notes.push(`the run took ${elapsed()}`);
  printTable(report);
  const outDir = join(server.ROOT, 'bench', 'out');
  writeReport(outDir, report);
  log(`\nwrote ${join('bench', 'out', 'results.json')} and ${join('bench', 'out', 'results.md')}`);
  return 0;
}

await runHarness(harness, args['keep-tmp'], main);

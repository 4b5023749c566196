/**
 * Starting and stopping the Worker for `npm run bench`.
 *
 * The Worker is bundled by wrangler exactly as `wrangler deploy` bundles it
 * (`deploy --dry-run --outdir`), its migrations are applied to a fresh
 * temporary local D1 with `wrangler d1 migrations apply --local`, and the
 * bundle runs in workerd through Miniflare, the library `wrangler dev` itself
 * uses, with the bindings and compatibility settings of wrangler.toml.
 * `wrangler dev` is not used because it puts a second workerd process (its
 * proxy) in front of the Worker, which on a 2-core machine costs more CPU
 * than the Worker itself: see bench/README.md.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as miniflareModule from 'miniflare';
import type { Miniflare } from 'miniflare';
import type * as wranglerModule from 'wrangler';

export const ROOT = join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const WRANGLER_DIR = dirname(require.resolve('wrangler/package.json'));
const WRANGLER_BIN = join(WRANGLER_DIR, 'bin', 'wrangler.js');

type MiniflareModule = typeof miniflareModule;
type WranglerModule = typeof wranglerModule;

/** Miniflare as wrangler itself resolves it (the same version `wrangler dev` runs). */
async function loadMiniflare(): Promise<MiniflareModule> {
  const path = createRequire(join(WRANGLER_DIR, 'package.json')).resolve('miniflare');
  return (await import(pathToFileURL(path).href)) as MiniflareModule;
}

/** Runs wrangler non-interactively; rejects with its output when it fails. */
export function wrangler(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRANGLER_BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`wrangler ${args.join(' ')} failed (exit ${code}):\n${output}`));
    });
  });
}

/** The bundle's entry module first, then every WebAssembly module beside it. */
function bundleModules(
  scriptPath: string,
): Array<{ type: 'ESModule' | 'CompiledWasm'; path: string }> {
  const dir = dirname(scriptPath);
  const wasm = readdirSync(dir).filter((name) => name.endsWith('.wasm'));
  return [
    { type: 'ESModule', path: scriptPath },
    ...wasm.map((name) => ({ type: 'CompiledWasm' as const, path: join(dir, name) })),
  ];
}

/** Bundles `entry` (default: wrangler.toml's `main`) into `outdir`; returns the module's path. */
export async function bundle(outdir: string, entry?: string): Promise<string> {
  await wrangler(['deploy', '--dry-run', '--outdir', outdir, ...(entry ? [entry] : [])]);
  const scripts = readdirSync(outdir).filter((name) => /\.m?js$/.test(name));
  if (scripts.length !== 1) throw new Error(`expected one module in ${outdir}, found ${scripts}`);
  return join(outdir, scripts[0]!);
}

export async function applyMigrations(persistDir: string): Promise<void> {
  await wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistDir]);
}

export interface WorkerInstance {
  url: string;
  /** workerd's process id, for CPU accounting (undefined if it could not be found). */
  pid: number | undefined;
  /** The V8 inspector's address (`ws://127.0.0.1:<port>`), when started with `inspector`. */
  inspectorUrl?: string;
  stop(): Promise<void>;
}

/** Child processes of this Node process whose command is workerd. */
function workerdChildren(): Set<number> {
  const found = new Set<number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [, comm, rest] = /^\d+ \((.*)\) (.*)$/s.exec(stat) ?? [];
      if (comm === 'workerd' && Number(rest?.split(' ')[1]) === process.pid) {
        found.add(Number(entry));
      }
    } catch {
      // The process ended meanwhile.
    }
  }
  return found;
}

const running = new Set<Miniflare>();
const runningPids = new Set<number>();
/** Process groups of `wrangler dev` runs (the comparison mode). */
const runningGroups = new Set<number>();

/** Last resort on a crash: no workerd of ours outlives the harness. */
process.on('exit', () => {
  const targets = [...runningPids, ...[...runningGroups].map((group) => -group)];
  for (const target of targets) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

export interface StartOptions {
  scriptPath: string;
  persistDir: string;
  vars: Record<string, string>;
  /** Open workerd's V8 inspector on a free port of 127.0.0.1 (`npm run soak`). */
  inspector?: boolean;
}

interface D1Config {
  binding: string;
  database_id?: string;
  database_name?: string;
}
interface KvConfig {
  binding: string;
  id?: string;
}

let wranglerConfig: ReturnType<WranglerModule['unstable_readConfig']> | undefined;

async function readWranglerConfig() {
  if (!wranglerConfig) {
    const { unstable_readConfig } = (await import('wrangler')) as WranglerModule;
    wranglerConfig = unstable_readConfig({ config: join(ROOT, 'wrangler.toml') });
  }
  return wranglerConfig;
}

/** Starts the bundle on 127.0.0.1 (a free port) with wrangler.toml's bindings plus `vars`. */
export async function startWorker(options: StartOptions): Promise<WorkerInstance> {
  const { Miniflare, convertV4MiniflareOptions } = await loadMiniflare();
  const config = await readWranglerConfig();
  const d1Databases = Object.fromEntries(
    config.d1_databases.map((db: D1Config) => [db.binding, db.database_id ?? db.database_name]),
  );
  const kvNamespaces = Object.fromEntries(
    config.kv_namespaces.map((ns: KvConfig) => [ns.binding, ns.id]),
  );
  const before = workerdChildren();
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: '127.0.0.1',
      port: 0,
      ...(options.inspector ? { inspectorPort: 0, inspectorHost: '127.0.0.1' } : {}),
      resourcePersistencePath: join(options.persistDir, 'v3'),
      workers: [
        {
          name: config.name ?? 'edgeauth',
          // The bundle and the modules it imports (argon2id.wasm), as wrangler uploads them.
          modules: bundleModules(options.scriptPath),
          modulesRoot: dirname(options.scriptPath),
          compatibilityDate: config.compatibility_date,
          compatibilityFlags: config.compatibility_flags,
          // Only wrangler.toml's [vars] and ours: never a developer's .dev.vars.
          bindings: { ...(config.vars as Record<string, string>), ...options.vars },
          d1Databases,
          kvNamespaces,
        },
      ],
    }),
  );
  running.add(mf);
  const url = (await mf.ready).href.replace(/\/$/, '');
  const pid = [...workerdChildren()].find((candidate) => !before.has(candidate));
  if (pid !== undefined) runningPids.add(pid);
  const inspectorUrl = options.inspector ? (await mf.getInspectorURL()).href : undefined;
  return {
    url,
    pid,
    ...(inspectorUrl === undefined ? {} : { inspectorUrl }),
    async stop() {
      running.delete(mf);
      await mf.dispose();
      if (pid !== undefined) runningPids.delete(pid);
    },
  };
}

/** Stops every instance still running (the harness's `finally`). */
export async function stopAll(): Promise<void> {
  await Promise.allSettled([...running].map((mf) => mf.dispose()));
  for (const group of runningGroups) {
    try {
      process.kill(-group, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
  running.clear();
  runningPids.clear();
  runningGroups.clear();
}

/** CPU seconds (user + system) workerd has used so far, from /proc; undefined if unknown. */
export function cpuSeconds(pid: number | undefined, ticksPerSecond: number): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitUntilServing(url: string, seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    try {
      await (await fetch(`${url}/api/health/`)).text();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`nothing answered on ${url} within ${seconds} s`);
}

/**
 * For comparison only (`--via-wrangler-dev`): the same Worker under
 * `wrangler dev --local`, with the settings in a temporary env file (so
 * that a developer's .dev.vars is never read) and its own port.
 */
export async function startWranglerDev(
  options: Omit<StartOptions, 'scriptPath'> & { envFile: string },
): Promise<WorkerInstance> {
  const port = await freePort();
  const lines = Object.entries(options.vars).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  writeFileSync(options.envFile, `${lines.join('\n')}\n`, { mode: 0o600 });
  const args = ['dev', '--local', '--persist-to', options.persistDir, '--ip', '127.0.0.1'];
  args.push('--port', String(port), '--inspector-port', '0', '--env-file', options.envFile);
  args.push('--show-interactive-dev-session=false', '--log-level', 'warn');
  const child = spawn(process.execPath, [WRANGLER_BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' },
    stdio: 'ignore',
    detached: true,
  });
  const group = child.pid!;
  runningGroups.add(group);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    runningGroups.delete(group);
    try {
      process.kill(-group, 'SIGTERM');
    } catch {
      // Already gone.
    }
  };
  try {
    await waitUntilServing(url, 90);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, pid: undefined, stop };
}

/**
 * Driving load with wrk (https://github.com/wg/wrk): one run of one case,
 * bounded in time (`-d`) and, as a safety net, in answers per thread
 * (BENCH_MAX_REQUESTS in common.lua). Requests are described to the Lua
 * scripts through environment variables, so credentials never appear on a
 * command line.
 */
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';

const LUA_DIR = import.meta.dirname;

/** wrk runs in progress, stopped by `stopWrk()` when the harness is interrupted. */
const running = new Set<ReturnType<typeof spawn>>();

export function stopWrk(): void {
  for (const child of running) child.kill('SIGTERM');
  running.clear();
}

export interface WrkRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** The status every answer should have. */
  expect: number;
  /**
   * `refresh`: rotate a pool of refresh tokens (refresh.lua) instead of one
   * fixed request; `mix`: send the requests of `mix` in turn (mix.lua).
   */
  script?: 'request' | 'refresh' | 'mix';
  /** For `refresh`: one never-used refresh token per connection. */
  refreshTokens?: string[];
  /** For `mix`: the requests, each expected to answer `expect`. */
  mix?: MixedRequest[];
}

export interface MixedRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface WrkOptions {
  baseUrl: string;
  seconds: number;
  threads: number;
  connections: number;
  maxRequests: number;
}

export interface WrkResult {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Answers with another status than expected, plus socket errors and timeouts. */
  failures: number;
  /** The request bound stopped a thread early: requests/s is understated. */
  capped: boolean;
}

interface LuaSummary {
  requests: number;
  duration_us: number;
  errors: Record<'connect' | 'read' | 'write' | 'status' | 'timeout', number>;
  latency_us: { mean: number; p50: number; p90: number; p99: number; max: number };
  unexpected: number;
  capped: number;
}

/** Whether wrk is installed; if not, says how to get it (or installs it when asked). */
export function ensureWrk(install: boolean): boolean {
  const present = () => {
    try {
      execFileSync('wrk', ['--version'], { stdio: 'ignore' });
      return true;
    } catch (err) {
      // wrk --version exits 1 after printing its version.
      return (err as { code?: string }).code !== 'ENOENT';
    }
  };
  if (present()) return true;
  if (install) {
    const root = process.getuid?.() === 0;
    const command = root ? 'apt-get' : 'sudo';
    const args = [...(root ? [] : ['apt-get']), 'install', '-y', 'wrk'];
    console.log(`bench: installing wrk: ${command} ${args.join(' ')}`);
    execFileSync(command, args, { stdio: 'inherit' });
    return present();
  }
  console.error(
    'bench: wrk is not installed. Install it and run again:\n' +
      '  Debian/Ubuntu: sudo apt-get install -y wrk   (or: npm run bench -- --install-wrk)\n' +
      '  macOS:         brew install wrk',
  );
  return false;
}

function headerLines(headers: Record<string, string> = {}): string {
  return Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');
}

/** mix.lua's format: requests split by the record separator, fields by the unit separator. */
function mixLines(mix: MixedRequest[] = []): string {
  const fields = (r: MixedRequest) => [r.method, r.path, headerLines(r.headers), r.body ?? ''];
  for (const field of mix.flatMap(fields)) {
    if (field.includes('\x1e') || field.includes('\x1f'))
      throw new Error('a mixed request contains a separator');
  }
  return mix.map((r) => fields(r).join('\x1f')).join('\x1e');
}

function parse(stdout: string): LuaSummary {
  const line = stdout.split('\n').find((text) => text.startsWith('BENCH_RESULT '));
  if (!line) throw new Error(`wrk printed no result:\n${stdout}`);
  return JSON.parse(line.slice('BENCH_RESULT '.length)) as LuaSummary;
}

function toResult(summary: LuaSummary): WrkResult {
  const seconds = summary.duration_us / 1e6;
  const { connect, read, write, timeout } = summary.errors;
  const ms = (us: number) => us / 1000;
  return {
    requests: summary.requests,
    seconds,
    rps: summary.requests / seconds,
    p50Ms: ms(summary.latency_us.p50),
    p90Ms: ms(summary.latency_us.p90),
    p99Ms: ms(summary.latency_us.p99),
    maxMs: ms(summary.latency_us.max),
    failures: summary.unexpected + connect + read + write + timeout,
    capped: summary.capped > 0,
  };
}

export function runWrk(request: WrkRequest, options: WrkOptions): Promise<WrkResult> {
  const url = new URL(options.baseUrl);
  if (url.hostname !== '127.0.0.1') throw new Error(`refusing to load ${url.hostname}`);
  const script = request.script ?? 'request';
  const args = [
    `-t${options.threads}`,
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    '--timeout',
    '10s',
    '-s',
    join(LUA_DIR, `${script}.lua`),
    `${options.baseUrl}${request.path}`,
  ];
  const env = {
    ...process.env,
    BENCH_LUA_DIR: LUA_DIR,
    BENCH_METHOD: request.method,
    BENCH_HEADERS: headerLines(request.headers),
    BENCH_BODY: request.body ?? '',
    BENCH_EXPECT: String(request.expect),
    BENCH_MAX_REQUESTS: String(options.maxRequests),
    BENCH_THREADS: String(options.threads),
    BENCH_REFRESH_TOKENS: (request.refreshTokens ?? []).join(','),
    BENCH_MIX: mixLines(request.mix),
  };
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      running.delete(child);
      if (code !== 0) return reject(new Error(`wrk exited ${code}: ${stderr || stdout}`));
      try {
        resolve(toResult(parse(stdout)));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  });
}

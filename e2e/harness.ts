/**
 * What the end-to-end test runs on: a real `wrangler dev` on a free loopback
 * port with its own scratch state, Debian's Chromium driven by playwright-core,
 * and a tiny runner that prints `N passed, M failed`.
 *
 * The Worker gets its settings from a temporary env file (`--env-file`), so a
 * developer's own `.dev.vars` and `.wrangler/state` are never read or touched.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '..');
const WRANGLER = join(ROOT, 'node_modules', '.bin', 'wrangler');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The flags this machine's Chromium needs (a closed network: no background traffic). */
const CHROMIUM_FLAGS = [
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

function wranglerEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CI: 'true', // no prompts, no interactive dev session
    WRANGLER_SEND_METRICS: 'false',
    CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV: 'true', // read the --env-file below
    CLOUDFLARE_INCLUDE_PROCESS_ENV: 'false', // and nothing from this process's environment
  };
}

export interface Server {
  origin: string;
  log: string;
  stop(): Promise<void>;
}

/** The last lines of wrangler's output, for a failure message. */
export function tail(file: string, lines = 30): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

async function waitForHealth(origin: string, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`wrangler dev exited (${child.exitCode ?? child.signalCode}):\n${tail(log)}`);
    }
    try {
      const response = await fetch(`${origin}/api/health/`, { signal: AbortSignal.timeout(5000) });
      if (response.status === 200) return;
      last = `${response.status} ${await response.text()}`;
    } catch (err) {
      last = String(err);
    }
    await sleep(250);
  }
  throw new Error(
    `GET /api/health/ did not answer 200 within 120 s (last: ${last}):\n${tail(log)}`,
  );
}

function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
    return Promise.resolve();
  }
  const pid = child.pid;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name); // wrangler and the workerd it started
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const force = setTimeout(() => signal('SIGKILL'), 10_000);
  return exited.finally(() => {
    clearTimeout(force);
    signal('SIGKILL'); // anything of the group that outlived wrangler itself
  });
}

/**
 * Applies the D1 migrations to a fresh scratch directory and starts `wrangler
 * dev` on it, production settings (or `environment`: `development`, whose
 * mail goes to the outbox) with a random SECRET_KEY; resolves once
 * GET /api/health/ answers 200. `stop()` ends it and removes the scratch
 * directory, whatever happened.
 */
export async function startWrangler(
  log: string,
  environment: 'production' | 'development' = 'production',
): Promise<Server> {
  const scratch = mkdtempSync(join(tmpdir(), 'edgeauth-e2e-'));
  const state = join(scratch, 'state');
  const envFile = join(scratch, 'e2e.env');
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(envFile, `ENVIRONMENT=${environment}\nSECRET_KEY=${secret}\n`, { mode: 0o600 });
  const removeScratch = () => rmSync(scratch, { recursive: true, force: true });
  const logFd = openSync(log, 'w');

  const migrate = spawnSync(
    WRANGLER,
    ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', state],
    { cwd: ROOT, env: wranglerEnv(), stdio: ['ignore', logFd, logFd] },
  );
  if (migrate.status !== 0) {
    removeScratch();
    throw new Error(`wrangler d1 migrations apply failed (${migrate.status}):\n${tail(log)}`);
  }

  const [port, inspectorPort] = [await freePort(), await freePort()];
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(port)];
  args.push('--inspector-ip', '127.0.0.1', '--inspector-port', String(inspectorPort));
  args.push('--persist-to', state, '--env-file', envFile, '--show-interactive-dev-session=false');
  const child = spawn(WRANGLER, args, {
    cwd: ROOT,
    env: wranglerEnv(),
    stdio: ['ignore', logFd, logFd],
    detached: true, // its own process group, so stop() reaches workerd too
  });
  const origin = `http://127.0.0.1:${port}`;
  // Last resort if this process exits before stop() is done (signals, crashes).
  const onExit = () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    removeScratch();
  };
  process.once('exit', onExit);
  const stop = () =>
    stopProcessGroup(child).finally(() => {
      process.removeListener('exit', onExit);
      removeScratch();
    });
  try {
    await waitForHealth(origin, child, log);
  } catch (err) {
    await stop();
    throw err;
  }
  return { origin, log, stop };
}

/** Debian's Chromium, headless; Playwright gives every launch a new, empty user-data-dir. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false, // --no-sandbox: CI runs as root
    args: CHROMIUM_FLAGS,
    // The test stops the browser itself (after wrangler dev), also on Ctrl-C.
    handleSIGINT: false,
    handleSIGTERM: false,
    timeout: 60_000,
  });
}

interface Outcome {
  name: string;
  error?: unknown;
}

/** Checks run in order, each reported as it ends; `summary()` prints the closing count. */
export class Runner {
  readonly outcomes: Outcome[] = [];

  async check(name: string, body: () => Promise<void>): Promise<boolean> {
    const started = Date.now();
    try {
      await body();
      this.outcomes.push({ name });
      console.log(`ok - ${name} (${Date.now() - started} ms)`);
      return true;
    } catch (error) {
      this.outcomes.push({ name, error });
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.log(`not ok - ${name}\n${text.replace(/^/gm, '    ')}`);
      return false;
    }
  }

  /** A check that could not run because one it depends on failed. */
  notRun(name: string, reason: string): void {
    this.outcomes.push({ name, error: reason });
    console.log(`not ok - ${name}\n    not run: ${reason}`);
  }

  get failed(): number {
    return this.outcomes.filter((outcome) => outcome.error !== undefined).length;
  }

  summary(): string {
    return `${this.outcomes.length - this.failed} passed, ${this.failed} failed`;
  }
}

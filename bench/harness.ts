/**
 * What `npm run bench` and `npm run soak` share around their measurements:
 * a temporary directory for the bundles and the local D1/KV, the Worker's
 * settings, the log with the seconds elapsed, and a run that leaves nothing
 * behind (every Worker and wrk stopped, the directory removed, Ctrl-C
 * included).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as server from './server';
import { stopWrk } from './wrk';

export interface Harness {
  /** `bench` or `soak`: the npm script, and the prefix of messages. */
  name: string;
  /** The temporary directory; `persistDir` (the local D1 and KV) is inside it. */
  tmp: string;
  persistDir: string;
  elapsed(): string;
  log(message: string): void;
  /** How the script was run, e.g. `npm run soak -- --minutes 2`. */
  command: string;
}

/** A harness named `name` (`bench`, `soak`): its temporary directory exists from here on. */
export function createHarness(name: string): Harness {
  const started = Date.now();
  const tmp = mkdtempSync(join(tmpdir(), `edgeauth-${name}-`));
  const args = process.argv.slice(2);
  return {
    name,
    tmp,
    persistDir: join(tmp, 'state'),
    elapsed: () => `${Math.round((Date.now() - started) / 1000)} s`,
    log: (message) => console.log(message),
    command: `npm run ${name}${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`,
  };
}

/** Whether this checkout has SessionAuthentication (read from its settings, never assumed). */
export async function sessionClassExists(): Promise<boolean> {
  const path = pathToFileURL(join(server.ROOT, 'src', 'config', 'settings.ts')).href;
  const settingsModule = (await import(path)) as { AUTHENTICATION_CLASS_NAMES?: string[] };
  return (settingsModule.AUTHENTICATION_CLASS_NAMES ?? []).includes('SessionAuthentication');
}

/**
 * The Worker's settings for a run: production, a random `SECRET_KEY`, every
 * authentication class (sessions when asked), and access tokens that outlive
 * the run. Password hashing stays at OWASP's defaults.
 */
export function workerVars(sessions: boolean): Record<string, string> {
  const classes = ['JWTAuthentication', 'TokenAuthentication', 'BasicAuthentication'];
  if (sessions) classes.push('SessionAuthentication');
  return {
    ENVIRONMENT: 'production',
    SECRET_KEY: randomBytes(36).toString('base64url'),
    DEFAULT_AUTHENTICATION_CLASSES: classes.join(','),
    ACCESS_TOKEN_LIFETIME: '1h',
  };
}

/**
 * Runs `main` and exits with its code; a thrown error exits 1. Whatever
 * happens, wrk and every Worker are stopped and the temporary directory is
 * removed (unless `keepTmp`).
 */
export async function runHarness(
  harness: Harness,
  keepTmp: boolean,
  main: () => Promise<number>,
): Promise<never> {
  const { name } = harness;
  const removeTmp = () => {
    if (keepTmp) return harness.log(`${name}: kept ${harness.tmp}`);
    try {
      rmSync(harness.tmp, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    } catch (err) {
      console.error(`${name}: could not remove ${harness.tmp}: ${String(err)}`);
    }
  };
  // Ctrl-C: everything synchronous first, since Miniflare's own signal handler
  // (which stops workerd) exits the process right after this one returns.
  const stopOnSignal = (signal: NodeJS.Signals) => {
    console.error(`${name}: ${signal}, stopping wrk and the Workers`);
    stopWrk();
    removeTmp();
    void server.stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  let exitCode = 1;
  try {
    exitCode = await main();
  } catch (err) {
    console.error(`${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : err}`);
  } finally {
    stopWrk();
    await server.stopAll();
    removeTmp();
  }
  process.exit(exitCode);
}

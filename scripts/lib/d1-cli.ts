/**
 * @module scripts/lib/d1-cli
 * Running `wrangler d1` from the npm scripts against the local database
 * (`--local`, optionally `--persist-to DIR`) or the deployed one (`--remote`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface D1Target {
  remote?: boolean;
  'persist-to'?: string;
}

/** The flags that pick the database, as `wrangler d1` takes them. */
export function targetArgs(target: D1Target): string[] {
  const args = target.remote ? ['--remote'] : ['--local'];
  if (target['persist-to']) args.push('--persist-to', target['persist-to']);
  return args;
}

/** Runs wrangler; resolves its output, or throws an Error quoting it. */
export function wrangler(args: string[]): string {
  const result = spawnSync('wrangler', args, {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
    shell: process.platform === 'win32',
    maxBuffer: 256 * 1024 * 1024,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) {
    throw new Error(`wrangler ${args.slice(0, 3).join(' ')} failed:\n${output}`);
  }
  return result.stdout;
}

/** A fresh local database has no tables yet: apply the migrations first (as `npm run dev` does). */
export function migrateLocal(target: D1Target): void {
  if (!target.remote) wrangler(['d1', 'migrations', 'apply', 'DB', ...targetArgs(target)]);
}

/** The rows of one SELECT (`wrangler d1 execute --json --command`). */
export function query<T>(target: D1Target, sql: string): T[] {
  const stdout = wrangler([
    'd1',
    'execute',
    'DB',
    ...targetArgs(target),
    '--json',
    '--command',
    sql,
  ]);
  const [first] = JSON.parse(stdout) as Array<{ results: T[] }>;
  return first?.results ?? [];
}

/** Runs a SQL file written to a private temporary folder, removed afterwards. */
export function executeSql(target: D1Target, name: string, sql: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'edgeauth-'));
  const file = join(dir, name);
  try {
    writeFileSync(file, sql, { mode: 0o600 });
    return wrangler(['d1', 'execute', 'DB', ...targetArgs(target), '--yes', '--file', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

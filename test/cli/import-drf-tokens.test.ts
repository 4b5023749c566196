/**
 * `npm run import-drf-tokens`: its flags. What it does to a database is
 * tested in workerd (test/drf-token-import.test.ts), and .ci/run runs it
 * against a scratch local D1.
 */
import { describe, expect, it } from 'vitest';
import { runScript } from './run';

describe('npm run import-drf-tokens', () => {
  it('prints its usage for --help and exits 0', async () => {
    const run = await runScript('import-drf-tokens', ['--help']);
    expect(run.status).toBe(0);
    expect(run.output).toMatch(/^Usage: npm run import-drf-tokens -- --file DUMP/);
    expect(run.output).toContain('--dumped-at');
  });

  it('refuses an unknown option with the usage and status 2, without a stack trace', async () => {
    const run = await runScript('import-drf-tokens', ['--files', 'dump.json']);
    expect(run.status).toBe(2);
    expect(run.output).toMatch(/^Error: Unknown option '--files'/);
    expect(run.output).not.toMatch(/\n\s+at /);
  });

  it('asks for the dump when --file is missing', async () => {
    const run = await runScript('import-drf-tokens', []);
    expect(run.status).toBe(1);
    expect(run.output).toMatch(/^Error: give the dump with --file/);
  });
});

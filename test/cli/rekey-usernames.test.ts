/**
 * `npm run rekey-usernames`: its flags. What it does to a database is tested
 * in workerd (test/rekey-usernames.test.ts); running it needs wrangler.
 */
import { describe, expect, it } from 'vitest';
import { runScript } from './run';

describe('npm run rekey-usernames', () => {
  it('prints its usage for --help and exits 0', async () => {
    const run = await runScript('rekey-usernames', ['--help']);
    expect(run.status).toBe(0);
    expect(run.output).toMatch(/^Usage: npm run rekey-usernames -- \[options\]/);
    expect(run.output).toContain('--remote');
    expect(run.output).toContain('--dry-run');
  });

  it('refuses an unknown option with the usage and status 2', async () => {
    const run = await runScript('rekey-usernames', ['--all']);
    expect(run.status).toBe(2);
    expect(run.output).toMatch(/^Error: Unknown option '--all'/);
  });
});

/**
 * `npm run createsuperuser` as a person runs it: flags, and passwords typed
 * into a real pseudo-terminal. Every case stops before the database (a
 * mismatch, a missing flag), so no wrangler is needed.
 */
import { describe, expect, it } from 'vitest';
import { runScript } from './run';

const FIRST = 'kvq-horse-7-battery';
const SECOND = 'kvq-horse-7-batterz';

describe('npm run createsuperuser', () => {
  it('prints its usage for --help and exits 0', async () => {
    const run = await runScript('createsuperuser', ['--help']);
    expect(run.status).toBe(0);
    expect(run.output).toMatch(/^Usage: npm run createsuperuser -- \[options\]/);
    expect(run.output).toContain('--noinput');
  });

  it('refuses an unknown option with one error line and the usage, without a stack trace', async () => {
    const run = await runScript('createsuperuser', ['--nope']);
    expect(run.status).toBe(2);
    expect(run.output).toMatch(/^Error: Unknown option '--nope'/);
    expect(run.output).toContain('Usage: npm run createsuperuser');
    expect(run.output).not.toMatch(/ERR_PARSE_ARGS|\n\s+at /);
  });

  it("says Django's 'You must use --username with --noinput.' when --noinput has no username", async () => {
    const run = await runScript('createsuperuser', ['--noinput'], {
      env: { EDGEAUTH_SUPERUSER_PASSWORD: FIRST },
    });
    expect(run.status).toBe(1);
    expect(run.output).toBe('Error: You must use --username with --noinput.\n');
  });

  it('counts the 150 characters of a username after NFKC normalisation, as registration does', async () => {
    const run = await runScript(
      'createsuperuser',
      ['--noinput', '--username', '\u3316'.repeat(150)],
      {
        env: { EDGEAUTH_SUPERUSER_PASSWORD: FIRST },
      },
    );
    expect(run.output).toBe('Error: Ensure this field has no more than 150 characters.\n');
    expect(run.status).toBe(1);
  });

  it('does not echo the password typed on a terminal, and still shows the username', async () => {
    const run = await runScript('createsuperuser', ['--email', 'admin@example.com'], {
      tty: true,
      answers: [
        { prompt: 'Username: ', reply: 'ad_min\r' },
        { prompt: 'Password: ', reply: `${FIRST}x\u007f\r` },
        { prompt: 'Password (again): ', reply: `${SECOND}\r` },
      ],
    });
    // readline draws the visible answer with cursor moves: drop them to read the screen.
    // eslint-disable-next-line no-control-regex
    const screen = run.output.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
    expect(screen).toContain('Username: ad_min\r');
    expect(screen).toContain(
      "Password: \r\nPassword (again): \r\nError: Your passwords didn't match.",
    );
    expect(screen).not.toContain('kvq');
    expect(run.status).toBe(1);
  });

  it('lets Backspace edit the hidden password (the two answers then match)', async () => {
    const run = await runScript('createsuperuser', ['--username', 'ad_min', '--email', ''], {
      tty: true,
      answers: [
        { prompt: 'Password: ', reply: '123456789\u007f\r' },
        { prompt: 'Password (again): ', reply: '12345678\r' },
      ],
    });
    // Equal, so the next check speaks: Django's validators, before any database work.
    expect(run.output).toContain('Error: This password is too common.');
    expect(run.output).not.toContain('1234');
    expect(run.status).toBe(1);
  });

  it('stops on Ctrl-C at the password prompt with Operation cancelled.', async () => {
    const run = await runScript('createsuperuser', ['--username', 'ad_min', '--email', ''], {
      tty: true,
      answers: [{ prompt: 'Password: ', reply: 'abc\u0003' }],
    });
    expect(run.output).toContain('Password: \r\nError: Operation cancelled.');
    expect(run.output).not.toContain('abc');
    expect(run.status).toBe(1);
  });

  it('reads every answer from a pipe, one a line, and echoes no password', async () => {
    const run = await runScript('createsuperuser', [], {
      stdin: `ad_min\nadmin@example.com\n${FIRST}\n${SECOND}\n`,
    });
    expect(run.output).toBe(
      "Username: \nEmail address: \nPassword: \nPassword (again): \nError: Your passwords didn't match.\n",
    );
    expect(run.status).toBe(1);
  });

  it('answers Operation cancelled. when the input ends before the password', async () => {
    const run = await runScript('createsuperuser', ['--username', 'ad_min'], {
      stdin: 'admin@example.com\n',
    });
    expect(run.output).toContain('Error: Operation cancelled.');
    expect(run.status).toBe(1);
  });
});

/**
 * The forgot-password flow in Chromium, against a `wrangler dev` in
 * development mode (its mail goes to the outbox, `GET /api/dev/outbox/`;
 * production has no outbox):
 *
 *   login form → "Forgot your password?" → the address → "Password reset
 *   sent" → the mail's link from the outbox → a new password → the old one
 *   refused, the new one logs in → the same link refused
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Runner } from './harness';

const LOGIN_PATH = '/api-auth/login/';
const REQUEST_PATH = '/api-auth/password/reset/';

export interface Tools {
  runner: Runner;
  newContext(browser: Browser): Promise<BrowserContext>;
  screenshot(page: Page, name: string): Promise<void>;
  logIn(page: Page, user: string, secret: string): Promise<void>;
  badLogin: string;
}

interface Account {
  username: string;
  email: string;
  password: string;
}

async function register(origin: string, account: Account): Promise<void> {
  const response = await fetch(`${origin}/api/auth/register/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(account),
  });
  const body = await response.text();
  assert.equal(response.status, 201, body);
}

/** The reset link of the newest mail to `email`; the mail goes out after the answer, so wait. */
async function linkFromOutbox(origin: string, email: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const response = await fetch(`${origin}/api/dev/outbox/`);
    assert.equal(response.status, 200);
    const mails = (await response.json()) as Array<{ to: string; text: string }>;
    const mail = mails.find((entry) => entry.to === email);
    if (mail) {
      const link = /https?:\/\/\S+\/password\/reset\/[\w-]+\/[\w-]+\//.exec(mail.text)?.[0];
      assert.ok(link, `no reset link in the mail: ${mail.text}`);
      return link;
    }
    await sleep(250);
  }
  throw new Error(`no mail to ${email} in the outbox within 15 s`);
}

async function heading(page: Page): Promise<string | null> {
  return page.getByRole('heading', { level: 1 }).textContent();
}

async function submit(page: Page, button: string): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: button }).click()]);
}

/** Runs the flow's checks in order; a check that fails stops the ones that need it. */
export async function resetChecks(browser: Browser, origin: string, tools: Tools): Promise<void> {
  const { runner, screenshot } = tools;
  const suffix = randomBytes(4).toString('hex');
  const account = {
    username: `reset_${suffix}`,
    email: `reset_${suffix}@example.com`,
    password: `${randomBytes(12).toString('base64url')} old horse`,
  };
  const newPassword = `${randomBytes(12).toString('base64url')} new horse`;
  if (
    !(await runner.check('a user registers on the development instance', () =>
      register(origin, account),
    ))
  ) {
    return;
  }
  const context = await tools.newContext(browser);
  const page = await context.newPage();
  let link = '';
  const steps: [string, () => Promise<void>][] = [
    [
      'the login form links to the forgot-password page, which promises a mail',
      async () => {
        await page.goto(`${origin}${LOGIN_PATH}`);
        await Promise.all([
          page.waitForNavigation(),
          page.getByRole('link', { name: 'Forgot your password?' }).click(),
        ]);
        assert.equal(new URL(page.url()).pathname, REQUEST_PATH);
        await page.getByLabel('Email address').fill(account.email);
        await screenshot(page, 'reset-request');
        await submit(page, 'Reset my password');
        assert.equal(await heading(page), 'Password reset sent');
      },
    ],
    [
      'the mail in the development outbox links back to this site',
      async () => {
        link = await linkFromOutbox(origin, account.email);
        assert.ok(link.startsWith(`${origin}${REQUEST_PATH}`), link);
      },
    ],
    [
      'the link opens the new-password form, never cached and sending no referrer',
      async () => {
        const response = await page.goto(link);
        assert.ok(response, 'no response');
        assert.equal(response.status(), 200);
        assert.match(response.headers()['cache-control'] ?? '', /\bno-store\b/);
        assert.equal(response.headers()['referrer-policy'], 'no-referrer');
        assert.equal(await heading(page), 'Enter new password');
        await screenshot(page, 'reset-confirm');
      },
    ],
    [
      'a new password is set: the old one is refused, the new one logs in',
      async () => {
        await page.getByLabel('New password', { exact: true }).fill(newPassword);
        await page.getByLabel('Confirm password', { exact: true }).fill(newPassword);
        await submit(page, 'Change my password');
        assert.equal(await heading(page), 'Password reset complete');
        await screenshot(page, 'reset-complete');
        await Promise.all([
          page.waitForNavigation(),
          page.getByRole('link', { name: 'Log in' }).click(),
        ]);
        await tools.logIn(page, account.username, account.password);
        assert.equal((await page.getByRole('alert').textContent())?.trim(), tools.badLogin);
        await tools.logIn(page, account.username, newPassword);
        assert.equal(page.url(), `${origin}/`, 'the login did not go to LOGIN_REDIRECT_URL');
      },
    ],
    [
      'the same link does not work twice',
      async () => {
        await page.goto(link);
        assert.equal(await heading(page), 'Password reset unsuccessful');
        await screenshot(page, 'reset-link-used');
      },
    ],
  ];
  for (const [index, [name, body]] of steps.entries()) {
    if (!(await runner.check(name, body))) {
      await screenshot(page, `failure-reset-${index + 1}`).catch(() => {});
      for (const [skipped] of steps.slice(index + 1)) runner.notRun(skipped, `"${name}" failed`);
      break;
    }
  }
  await context.close();
}

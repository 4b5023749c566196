/**
 * End-to-end test of the static-site gate and the API docs (`npm run
 * test:e2e`): a real headless Chromium (Debian's, driven by playwright-core)
 * against a real `wrangler dev` serving `public/` with the Worker first for
 * `/app/*`; the OpenAPI document through a validator, and its docs page
 * (schema.ts).
 *
 *   visit /app/ → login form → wrong password refused → right password →
 *   members' area and its report → log out → /app/ sends to the login again
 *
 * Then a second `wrangler dev`, in development mode, for the forgot-password
 * flow through the development outbox (`password-reset.ts`).
 *
 * The pages must log no console error and no CSP violation.
 * Screenshots go to test-results/e2e/; the last line is `N passed, M failed`
 * and the exit code is non-zero on any failure.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROOT, Runner, launchChromium, startWrangler, tail } from './harness';
import type { Server } from './harness';
import { resetChecks } from './password-reset';
import { schemaChecks } from './schema';
import { ARTIFACTS, Watcher } from './watch';

const LOGIN_PATH = '/api-auth/login/';
const BAD_LOGIN =
  'Please enter a correct username and password. Note that both fields may be case-sensitive.';

const runner = new Runner();
const watcher = new Watcher();
const { problems } = watcher;
const screenshot = (page: Page, name: string) => watcher.screenshot(page, name);
const newContext = (browser: Browser) => watcher.newContext(browser);

const username = `e2e_${randomBytes(4).toString('hex')}`;
const password = `${randomBytes(12).toString('base64url')} horse battery`;

async function sessionCookie(context: BrowserContext) {
  return (await context.cookies()).find((cookie) => cookie.name === 'sessionid');
}

/** Fills the login form by its labels and submits it. */
async function logIn(page: Page, user: string, secret: string): Promise<void> {
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill(secret);
  await Promise.all([
    page.waitForNavigation(),
    page.getByRole('button', { name: 'Log in' }).click(),
  ]);
}

async function expectLoginForm(page: Page, next: string): Promise<void> {
  const url = new URL(page.url());
  assert.equal(`${url.pathname}${url.search}`, `${LOGIN_PATH}?next=${encodeURIComponent(next)}`);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Log in');
  assert.equal(await page.locator('input[name="next"]').inputValue(), next);
}

async function register(origin: string): Promise<void> {
  const response = await fetch(`${origin}/api/auth/register/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = await response.text();
  assert.equal(response.status, 201, body);
  assert.equal(JSON.parse(body).username, username);
}

async function browserChecks(browser: Browser, origin: string): Promise<void> {
  const context = await newContext(browser);
  const page = await context.newPage();
  const step = async (name: string, body: () => Promise<void>) => {
    const ok = await runner.check(name, body);
    if (!ok) await screenshot(page, `failure-${runner.outcomes.length}`).catch(() => {});
    return ok;
  };

  await step('an anonymous visit to /app/ lands on the login form', async () => {
    const response = await page.goto(`${origin}/app/`);
    assert.ok(response, 'no response');
    const redirect = response.request().redirectedFrom();
    assert.equal(redirect?.url(), `${origin}/app/`, 'not reached through a redirect from /app/');
    assert.equal((await redirect.response())?.status(), 302);
    await expectLoginForm(page, '/app/');
    assert.match(response.headers()['content-security-policy'] ?? '', /default-src 'none'/);
    await screenshot(page, 'login-form');
  });

  await step('a wrong password shows the error and gives no access', async () => {
    await logIn(page, username, `${password} but wrong`);
    assert.equal(new URL(page.url()).pathname, LOGIN_PATH);
    assert.equal((await page.getByRole('alert').textContent())?.trim(), BAD_LOGIN);
    assert.equal(await page.getByLabel('Username').inputValue(), username);
    assert.equal(await page.locator('input[name="next"]').inputValue(), '/app/', 'next was lost');
    assert.equal(await sessionCookie(context), undefined, 'a session cookie was set');
    await screenshot(page, 'wrong-password');
    await page.goto(`${origin}/app/`);
    await expectLoginForm(page, '/app/');
  });

  const loggedIn = await step('the right password opens the members’ area', async () => {
    await logIn(page, username, password);
    assert.equal(page.url(), `${origin}/app/`);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), "Members' area");
    const cookie = await sessionCookie(context);
    assert.ok(cookie, 'no sessionid cookie');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.secure, true);
    assert.equal(cookie.sameSite, 'Lax');
    await screenshot(page, 'members-area');
  });

  const reportCheck = 'the report page /app/report.html is reachable, privately cached';
  const logoutCheck = 'logging out sends /app/ back to the login form';
  if (!loggedIn) {
    runner.notRun(reportCheck, 'the login failed');
    runner.notRun(logoutCheck, 'the login failed');
    await context.close();
    return;
  }

  await step(reportCheck, async () => {
    const [response] = await Promise.all([
      page.waitForNavigation(),
      page.getByRole('link', { name: 'The quarterly report' }).click(),
    ]);
    assert.ok(response, 'no response');
    assert.equal(response.status(), 200);
    // Workers Static Assets answers /app/report.html with a 307 to /app/report
    // (its default html_handling); each answer on the way must be private.
    for (let request = response.request(); ;) {
      const { url, headers } = {
        url: request.url(),
        headers: (await request.response())?.headers(),
      };
      assert.match(new URL(url).pathname, /^\/app\/report(\.html)?$/);
      assert.match(headers?.['cache-control'] ?? '', /\bprivate\b/, `${url} is not private`);
      const previous = request.redirectedFrom();
      if (!previous) break;
      request = previous;
    }
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Quarterly report');
    await screenshot(page, 'report');
    await page.getByRole('link', { name: 'Back' }).click();
    await page.waitForURL(`${origin}/app/`);
  });

  await step(logoutCheck, async () => {
    await page.getByRole('link', { name: 'Log out' }).click();
    await page.waitForURL(`${origin}/api-auth/logout/`);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Log out');
    assert.equal(await page.locator('main strong').textContent(), username);
    await screenshot(page, 'logout-confirm');
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole('button', { name: 'Log out' }).click(),
    ]);
    assert.equal(page.url(), `${origin}/`, 'logout did not go to LOGOUT_REDIRECT_URL');
    assert.equal(await sessionCookie(context), undefined, 'the session cookie survived logout');
    // Back twice, to the logout page and then /app/: the browser asks again, nothing stale shows.
    for (const path of [LOGIN_PATH, `${LOGIN_PATH}?next=%2Fapp%2F`]) {
      await page.goBack();
      const url = new URL(page.url());
      assert.equal(`${url.pathname}${url.search}`, path, 'Back did not end at the login form');
    }
    await page.goto(`${origin}/app/`);
    await expectLoginForm(page, '/app/');
    await screenshot(page, 'after-logout');
    await page.goto(`${origin}/app/report.html`);
    await expectLoginForm(page, '/app/report.html');
  });
  await context.close();
}

/** Proves the watcher above would see a violation, so a clean run means something. */
async function watcherSelfTest(browser: Browser, origin: string): Promise<void> {
  const seen = problems.length;
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(`${origin}${LOGIN_PATH}`);
  await page.evaluate(() => {
    const style = document.createElement('style');
    style.textContent = 'body { color: red; }';
    document.head.append(style);
  });
  await page.waitForTimeout(500);
  await context.close();
  const caught = problems.splice(seen);
  assert.ok(
    caught.some((text) => text.includes('CSP violation: style-src')),
    `an inline <style> on the login page went unnoticed: ${JSON.stringify(caught)}`,
  );
}

/** Production has no mail backend: the login form offers no reset it could not send. */
async function noResetLinkInProduction(origin: string): Promise<void> {
  const html = await (await fetch(`${origin}${LOGIN_PATH}`)).text();
  assert.ok(html.includes('<h1>Log in</h1>'), html);
  assert.ok(!html.includes('Forgot your password?'), 'a reset link without a mail backend');
}

/** The gate on the production instance: the browser flow, its pages' problems, no reset link. */
async function productionChecks(server: Server | undefined, browser: Browser | undefined) {
  const registered =
    server !== undefined &&
    (await runner.check('a user registers through the API', () => register(server.origin)));
  if (!server || !browser || !registered) {
    runner.notRun('the browser checks', 'wrangler dev, Chromium or registration failed');
    return;
  }
  await schemaChecks({ runner, watcher, browser, origin: server.origin });
  await browserChecks(browser, server.origin);
  await runner.check('the pages log no console error and no CSP violation', async () => {
    assert.deepEqual(problems, []);
  });
  await runner.check('the CSP watcher does catch a violation', () =>
    watcherSelfTest(browser, server.origin),
  );
  await runner.check('the login form offers no password reset without a mail backend', () =>
    noResetLinkInProduction(server.origin),
  );
}

/** The forgot-password flow on a development instance of its own (production has no outbox). */
async function developmentChecks(
  browser: Browser,
  log: string,
  started: (server: Server) => void,
): Promise<Server | undefined> {
  let server: Server | undefined;
  await runner.check('wrangler dev starts in development mode, mail to the outbox', async () => {
    server = await startWrangler(log, 'development');
    started(server);
    console.log(`    ${server.origin}, log in ${relative(ROOT, log)}`);
  });
  if (!server) {
    runner.notRun('the forgot-password flow', 'the development instance did not start');
    return undefined;
  }
  await resetChecks(browser, server.origin, {
    runner,
    newContext,
    screenshot,
    logIn,
    badLogin: BAD_LOGIN,
  });
  await runner.check('the reset pages log no console error and no CSP violation', async () => {
    assert.deepEqual(problems, []);
  });
  return server;
}

async function main(): Promise<void> {
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  const log = join(ARTIFACTS, 'wrangler.log');
  const devLog = join(ARTIFACTS, 'wrangler-development.log');
  let server: Server | undefined;
  let devServer: Server | undefined;
  let browser: Browser | undefined;
  // Once only, whoever asks first: the end of the run, Ctrl-C, or a second Ctrl-C.
  let stopping: Promise<void> | undefined;
  const stopAll = () =>
    (stopping ??= (async () => {
      await server?.stop();
      await devServer?.stop();
      await Promise.race([browser?.close().catch(() => {}), sleep(5000)]);
    })());
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.on(signal, () => void stopAll().finally(() => process.exit(code)));
  }
  try {
    await runner.check('wrangler dev starts on a fresh local D1 and KV', async () => {
      server = await startWrangler(log);
      console.log(`    ${server.origin}, log in ${relative(ROOT, log)}`);
    });
    await runner.check('Chromium starts headless', async () => {
      browser = await launchChromium();
      console.log(`    Chromium ${browser.version()}`);
    });
    await productionChecks(server, browser);
    // One instance at a time: the machine running CI may have two cores.
    await server?.stop();
    if (browser) await developmentChecks(browser, devLog, (started) => (devServer = started));
  } finally {
    await stopAll();
  }
  if (runner.failed > 0 && server) console.log(`wrangler dev's last lines:\n${tail(log)}`);
  if (runner.failed > 0 && devServer) {
    console.log(`wrangler dev (development)'s last lines:\n${tail(devLog)}`);
  }
  printSummary();
}

function printSummary(): void {
  for (const text of watcher.ignored) console.log(`ignored: ${text}`);
  for (const file of watcher.screenshots) console.log(`screenshot: ${file}`);
  console.log(runner.summary());
  process.exitCode = runner.failed > 0 ? 1 : 0;
}

await main();

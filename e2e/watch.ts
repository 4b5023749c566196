/**
 * What the end-to-end checks watch in the browser: each page's console
 * errors, uncaught errors, CSP violations and failed requests, collected in
 * one list, and the screenshots taken on the way (into test-results/e2e/).
 */
import { join, relative } from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { ROOT } from './harness';

export const ARTIFACTS = join(ROOT, 'test-results', 'e2e');

export class Watcher {
  /** Console errors, uncaught page errors, CSP violations and failed requests, of every page. */
  readonly problems: string[] = [];
  /** Problems deliberately let through, printed at the end so they stay visible. */
  readonly ignored = new Set<string>();
  readonly screenshots: string[] = [];

  async screenshot(page: Page, name: string): Promise<void> {
    const file = join(ARTIFACTS, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    this.screenshots.push(relative(ROOT, file));
  }

  /** A fresh browser profile-in-a-context whose every page reports its problems. */
  async newContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport: { width: 900, height: 640 }, ...options });
    await context.exposeBinding('e2eReportCspViolation', ({ page }, text: string) => {
      this.problems.push(`${page.url()}: CSP violation: ${text}`);
    });
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        const report = (window as unknown as { e2eReportCspViolation(text: string): void })
          .e2eReportCspViolation;
        void report(`${event.effectiveDirective} blocked ${event.blockedURI || 'inline'}`);
      });
    });
    context.on('page', (page) => this.watch(page));
    return context;
  }

  private watch(page: Page): void {
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      // Chromium asks every site for /favicon.ico; the example site has none.
      if (message.location().url.endsWith('/favicon.ico')) {
        this.ignored.add(`${message.location().url}: ${message.text()}`);
        return;
      }
      this.problems.push(`${page.url()}: console: ${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) =>
      this.problems.push(`${page.url()}: page error: ${error.message}`),
    );
    page.on('requestfailed', (request) =>
      this.problems.push(`${request.url()}: request failed: ${request.failure()?.errorText}`),
    );
  }
}

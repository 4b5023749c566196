/**
 * The end-to-end checks of the OpenAPI document and its docs page, run by
 * `site.e2e.ts` against the same `wrangler dev`:
 *
 * - `GET /api/schema/` is a valid OpenAPI 3.1 document for a real validator,
 *   `@readme/openapi-parser` (the official 3.1 JSON Schema plus the rules it
 *   cannot express), with no error and no warning; a broken copy is refused,
 *   so a pass means something;
 * - `GET /api/schema/docs/` in Chromium, under its strict CSP, renders every
 *   operation of the document and logs no console error and no CSP violation;
 *   without JavaScript it points to the JSON.
 */
import assert from 'node:assert/strict';
import { compileErrors, validate } from '@readme/openapi-parser';
import type { Browser } from 'playwright-core';
import type { Runner } from './harness';
import type { Watcher } from './watch';

const SCHEMA_PATH = '/api/schema/';
const DOCS_PATH = '/api/schema/docs/';
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

type Document = Parameters<typeof validate>[0] & {
  paths: Record<string, Record<string, { operationId: string }>>;
};

export interface SchemaContext {
  runner: Runner;
  watcher: Watcher;
  browser: Browser;
  origin: string;
}

/** `GET /api/me/`, ... : every operation of the document, as the page heads them. */
function operationsOf(doc: Document): string[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** Validates a copy (the validator dereferences in place); never fetches anything. */
async function check(doc: Document) {
  return validate(structuredClone(doc), { resolve: { external: false, file: false } });
}

async function fetchDocument(origin: string): Promise<Document> {
  const response = await fetch(`${origin}${SCHEMA_PATH}`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  return (await response.json()) as Document;
}

async function validation(runner: Runner, doc: Document): Promise<void> {
  await runner.check(
    `${SCHEMA_PATH} is a valid OpenAPI 3.1 document (@readme/openapi-parser)`,
    async () => {
      const result = await check(doc);
      assert.ok(result.valid, result.valid ? '' : compileErrors(result));
      assert.deepEqual(result.warnings, [], 'the validator warned');
      const operations = operationsOf(doc).length;
      console.log(
        `    ${Object.keys(doc.paths).length} paths, ${operations} operations, no error, no warning`,
      );
    },
  );
  await runner.check('the validator refuses a copy with a duplicate operationId', async () => {
    const broken = structuredClone(doc);
    const [first, second] = Object.values(broken.paths).flatMap((item) => Object.values(item));
    second!.operationId = first!.operationId;
    const result = await check(broken);
    assert.equal(result.valid, false, 'a broken document passed');
  });
}

async function docsPage(context: SchemaContext, doc: Document): Promise<void> {
  const { runner, watcher, browser, origin } = context;
  await runner.check(
    `${DOCS_PATH} renders every operation, with no console error or CSP violation`,
    async () => {
      const seen = watcher.problems.length;
      const page = await (await watcher.newContext(browser)).newPage();
      const response = await page.goto(`${origin}${DOCS_PATH}`);
      assert.equal(response?.status(), 200);
      assert.match(response.headers()['content-security-policy'] ?? '', /script-src 'self'/);
      const expected = operationsOf(doc);
      const headings = page.locator('article.operation h3');
      // The script renders the whole document at once, the credentials table first.
      // (Not waitForFunction: it compiles its predicate, which this CSP forbids.)
      await page.locator('#credentials').waitFor({ timeout: 15_000 });
      const shown = (await headings.allTextContents()).map((text) =>
        text.replace(/\s+/g, ' ').trim(),
      );
      assert.deepEqual([...shown].sort(), [...expected].sort());
      // A few things a reader looks for: the credentials table and one request field.
      const credentials = page.locator('#credentials');
      assert.match((await credentials.textContent()) ?? '', /cookie sessionid/);
      const token = page.locator('article', {
        has: page.locator('h3', { hasText: /^POST \/api\/token\/$/ }),
      });
      assert.match(
        (await token.first().textContent()) ?? '',
        /password.*string \(password\).*yes/s,
      );
      await watcher.screenshot(page, 'api-docs');
      await page.context().close();
      assert.deepEqual(watcher.problems.slice(seen), []);
    },
  );
  await runner.check(`${DOCS_PATH} without JavaScript points to the JSON`, async () => {
    const browserContext = await watcher.newContext(browser, { javaScriptEnabled: false });
    const page = await browserContext.newPage();
    await page.goto(`${origin}${DOCS_PATH}`);
    const link = page.locator('noscript a');
    assert.equal(await link.getAttribute('href'), SCHEMA_PATH);
    assert.ok(await link.isVisible(), 'the <noscript> link is not shown');
    await browserContext.close();
  });
}

export async function schemaChecks(context: SchemaContext): Promise<void> {
  let doc: Document | undefined;
  const fetched = await context.runner.check(
    `GET ${SCHEMA_PATH} answers the document`,
    async () => {
      doc = await fetchDocument(context.origin);
    },
  );
  if (!fetched || !doc) {
    context.runner.notRun('the OpenAPI checks', `GET ${SCHEMA_PATH} failed`);
    return;
  }
  await validation(context.runner, doc);
  await docsPage(context, doc);
}

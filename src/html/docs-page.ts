/**
 * @module html/docs-page
 * The API docs page (`<ROUTE_PREFIX_SCHEMA>/docs/`): a small HTML shell whose
 * script (`docs.js`, `html/docs-script.ts`) fetches the OpenAPI document and
 * renders it, and its stylesheet (`docs.css`). All three come from this
 * origin, so the page holds under a strict Content-Security-Policy: scripts,
 * styles and requests from `'self'` only, nothing inline, no CDN, no forms.
 */
import { escapeHtml } from './pages';

/** Scripts, styles and fetches from this origin only; nothing inline; no forms, frames or base. */
export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
  "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface DocsPage {
  /** Where the OpenAPI document is (`<ROUTE_PREFIX_SCHEMA>/`). */
  schema: string;
  script: string;
  stylesheet: string;
}

/** The shell: a heading, a link to the JSON, and a status line the script replaces. */
export function docsPage(page: DocsPage): string {
  const schema = escapeHtml(page.schema);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API documentation</title>
<link rel="stylesheet" href="${escapeHtml(page.stylesheet)}">
<script src="${escapeHtml(page.script)}" defer></script>
</head>
<body>
<main id="docs" data-schema="${schema}">
<h1>API documentation</h1>
<p>The OpenAPI 3.1 document of this API, as JSON: <a href="${schema}">${schema}</a>.</p>
<p id="status" role="status">Loading the document…</p>
<noscript><p>This page renders the document with JavaScript.
Without it, read the JSON at <a href="${schema}">${schema}</a>.</p></noscript>
</main>
</body>
</html>
`;
}

/** The page's stylesheet; light and dark follow the reader's setting, as the login pages do. */
export const DOCS_STYLESHEET = `:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.45; }
body { margin: 0; }
main { max-width: 64rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.75rem; margin-top: 0; }
h2 { font-size: 1.35rem; margin-top: 2.5rem; border-bottom: 1px solid #8886; padding-bottom: 0.25rem; }
h3 { font-size: 1.1rem; margin: 0 0 0.25rem; overflow-wrap: anywhere; }
h4 { font-size: 0.95rem; margin: 1rem 0 0.25rem; }
nav ul { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; padding: 0; list-style: none; }
code { font-family: ui-monospace, monospace; font-size: 0.92em; }
.operation { border: 1px solid #8886; border-radius: 0.5rem; padding: 1rem; margin: 1rem 0; }
.summary { margin-top: 0; }
.method { display: inline-block; min-width: 4.5rem; font-weight: 700; }
.method-get { color: #15803d; }
.method-post { color: #1d4ed8; }
.method-put, .method-patch { color: #a16207; }
.method-delete { color: #b91c1c; }
@media (prefers-color-scheme: dark) {
  .method-get { color: #4ade80; }
  .method-post { color: #93c5fd; }
  .method-put, .method-patch { color: #fcd34d; }
  .method-delete { color: #fca5a5; }
}
table { border-collapse: collapse; width: 100%; font-size: 0.92rem; }
caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
th, td { text-align: left; vertical-align: top; padding: 0.3rem 0.5rem; border-bottom: 1px solid #8884; }
td { overflow-wrap: anywhere; }
ul.security { margin: 0; }
a:focus-visible { outline: 3px solid #2563eb; outline-offset: 2px; }
[role="alert"] { color: #b91c1c; border-left: 4px solid currentColor; padding-left: 0.5rem; }
`;

/**
 * @module routes/openapi
 * `GET <ROUTE_PREFIX_SCHEMA>/` (drf-spectacular's `/api/schema/`): the
 * OpenAPI 3.1 document of every declared route, these included, built once
 * per configuration. `GET <ROUTE_PREFIX_SCHEMA>/docs/`: a page that renders
 * it for a reader, with its script and stylesheet (`docs/docs.js`,
 * `docs/docs.css`), all from this origin under a strict CSP (`html/docs-page.ts`).
 * Public, as drf-spectacular's are by default: they describe the API, never
 * an account.
 */
import type { Context } from 'hono';
import type { AuthConfig } from '../config';
import type { AppEnv } from '../env';
import { DOCS_SCRIPT } from '../html/docs-script';
import { DOCS_CSP, DOCS_STYLESHEET, docsPage } from '../html/docs-page';
import { EDGEAUTH_VERSION } from '../version';
import { operation, type Operation, type RouteDeclaration } from './declare';
import { openApiDocument } from './openapi-document';
import { json, page } from './responses';

/** How long browsers and caches may keep the document and the page (the settings change only on deploy). */
const DOCUMENT_CACHE = 'public, max-age=300';
/** The script and stylesheet: their URLs carry the version, so a release is fetched anew. */
const ASSET_CACHE = 'public, max-age=3600';

/** A public `GET` of fixed text (the page's script and stylesheet). */
function asset(summary: string, type: string, text: string): Operation {
  return operation({
    summary,
    authentication: [],
    permissions: [],
    responses: { 200: { description: summary, content: { type, schema: { type: 'string' } } } },
    handler: (c: Context<AppEnv>) =>
      c.body(text, 200, { 'Content-Type': `${type}; charset=utf-8`, 'Cache-Control': ASSET_CACHE }),
  });
}

function docsRoutes(prefix: string): RouteDeclaration[] {
  const script = `${prefix}/docs/docs.js`;
  const stylesheet = `${prefix}/docs/docs.css`;
  const version = `?v=${encodeURIComponent(EDGEAUTH_VERSION)}`;
  const html = docsPage({
    schema: `${prefix}/`,
    script: `${script}${version}`,
    stylesheet: `${stylesheet}${version}`,
  });
  const tag = 'Schema';
  return [
    {
      path: `${prefix}/docs/`,
      name: 'Schema Docs',
      tag,
      operations: {
        GET: operation({
          summary: 'This document, rendered for a reader',
          authentication: [],
          permissions: [],
          responses: { 200: page('The page; its script fetches the document and renders it.') },
          handler: (c) =>
            c.html(html, 200, {
              'Content-Security-Policy': DOCS_CSP,
              'Cache-Control': DOCUMENT_CACHE,
            }),
        }),
      },
    },
    {
      path: script,
      name: 'Schema Docs Script',
      tag,
      operations: { GET: asset('The docs page’s script', 'text/javascript', DOCS_SCRIPT) },
    },
    {
      path: stylesheet,
      name: 'Schema Docs Stylesheet',
      tag,
      operations: { GET: asset('The docs page’s stylesheet', 'text/css', DOCS_STYLESHEET) },
    },
  ];
}

export function schemaRoutes(
  config: AuthConfig,
  routes: readonly RouteDeclaration[],
): RouteDeclaration[] {
  const prefix = config.ROUTE_PREFIX_SCHEMA;
  let document: string | undefined;
  const schemaRoute: RouteDeclaration = {
    path: `${prefix}/`,
    name: 'Schema',
    tag: 'Schema',
    operations: {
      GET: operation({
        summary: 'This OpenAPI 3.1 document',
        authentication: [],
        permissions: [],
        responses: {
          200: json('The document.', { type: 'object', required: ['openapi', 'paths'] }),
        },
        handler(c) {
          document ??= JSON.stringify(
            openApiDocument(config, [...routes, ...declared], EDGEAUTH_VERSION),
          );
          return c.body(document, 200, {
            'Content-Type': 'application/json; charset=utf-8',
            'Cache-Control': DOCUMENT_CACHE,
          });
        },
      }),
    },
  };
  const declared = [schemaRoute, ...docsRoutes(prefix)];
  return declared;
}

/**
 * @module routes/openapi
 * `GET <ROUTE_PREFIX_SCHEMA>/` (drf-spectacular's `/api/schema/`): the
 * OpenAPI 3.1 document of every declared route, this one included, built
 * once per configuration. Public, as drf-spectacular's is by default: it
 * describes the API, never an account.
 */
import type { AuthConfig } from '../config';
import { EDGEAUTH_VERSION } from '../version';
import { operation, type RouteDeclaration } from './declare';
import { openApiDocument } from './openapi-document';
import { json } from './responses';

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
            'Cache-Control': 'public, max-age=300',
          });
        },
      }),
    },
  };
  const declared = [schemaRoute];
  return declared;
}

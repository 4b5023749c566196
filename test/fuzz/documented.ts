/**
 * @module fuzz/documented
 * The OpenAPI document as an oracle: an answer to a method the document
 * lists for a path has a status the document lists for that operation. So
 * the document cannot promise less than the Worker does (a 403 nobody wrote
 * down, a 401 where only 403s happen is the other direction, checked in
 * test/openapi.test.ts). `HEAD` is held to `GET`'s list; `OPTIONS` and the
 * 405s of unlisted methods are the declared routes' own answers and are
 * checked by the shape oracle.
 */
import type { Exchange } from './oracle';

interface Operation {
  responses: Record<string, unknown>;
}
type Document = { paths: Record<string, Record<string, Operation>> };

export interface DocumentedOperations {
  /** The statuses listed for this request's operation; undefined: no listed operation. */
  statuses(method: string, url: URL): readonly string[] | undefined;
}

function pattern(path: string): RegExp {
  const body = path
    .replace(/\/$/, '')
    .replace(/[.]/g, '\\.')
    .replace(/\{\w+\}/g, '[^/]+');
  return new RegExp(`^${body}/?$`);
}

/** Hono matches the `decodeURI` form of the path. */
function decoded(pathname: string): string {
  try {
    return decodeURI(pathname);
  } catch {
    return pathname;
  }
}

export function documentedOperations(doc: Document): DocumentedOperations {
  // Fixed paths first, as Hono registers them first.
  const paths = Object.keys(doc.paths).sort(
    (a, b) => Number(a.includes('{')) - Number(b.includes('{')),
  );
  const matchers = paths.map((path) => ({ path, re: pattern(path) }));
  return {
    statuses(method, url) {
      const path = decoded(url.pathname);
      const found = matchers.find(({ re }) => re.test(path));
      const name = method.toUpperCase() === 'HEAD' ? 'get' : method.toLowerCase();
      const op = found ? doc.paths[found.path]![name] : undefined;
      return op ? Object.keys(op.responses) : undefined;
    },
  };
}

/** The answer's status when the document does not list it for the operation. */
export function undocumented(x: Exchange, documented: DocumentedOperations): string[] {
  const statuses = documented.statuses(x.request.method, new URL(x.request.url));
  if (statuses === undefined || statuses.includes(String(x.answer.status))) return [];
  return [
    `a ${x.answer.status} the document does not list for ${x.request.method} (it lists ${statuses.join(', ')})`,
  ];
}

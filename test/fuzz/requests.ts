/**
 * @module fuzz/requests
 * Whole requests: a target configuration, a method, a path, headers and a
 * body. Half the cases are coherent (a route's own method and a body made for
 * it, mostly with the pool's real credentials), so the fuzzer reaches the
 * handlers and not only the parsers; the other half mix anything with
 * anything.
 */
import fc from 'fast-check';
import { chaosBody, routeBody, type BodyWithType } from './bodies';
import { BROWSER_HEADERS, COHERENT_AUTHORIZATION, headers, type HeaderList } from './headers';
import type { FuzzCase, TargetName, Text } from './model';
import { METHOD, anyPath, routePath } from './paths';
import { ROUTE } from './routes';
import { maybe } from './values';

const TARGET = fc.constantFrom<TargetName>('default', 'default', 'default', 'cookie-es256');

function withBody(method: string, body: BodyWithType | undefined, list: HeaderList) {
  const upper = method.toUpperCase();
  if (upper === 'GET' || upper === 'HEAD' || body === undefined) return { headers: list };
  const all = body.contentType
    ? [...list, ['Content-Type', body.contentType] as [string, Text]]
    : list;
  return { headers: all, body: body.body };
}

/** A route's own method and a body made for it: reaches the handlers. */
const coherent: fc.Arbitrary<FuzzCase> = ROUTE.chain((route) =>
  fc
    .record({
      target: TARGET,
      method: fc.oneof(
        { weight: 5, arbitrary: fc.constantFrom(...route.methods) },
        { weight: 1, arbitrary: METHOD },
      ),
      path: routePath(route),
      headers: fc.oneof(
        { weight: 3, arbitrary: headers(75, 40, COHERENT_AUTHORIZATION) },
        { weight: 1, arbitrary: BROWSER_HEADERS },
      ),
      body: maybe(routeBody(route.fields), 85),
    })
    .map(({ target, method, path, headers: list, body }) => ({
      target,
      method,
      path,
      ...withBody(method, body, list),
    })),
);

/** Anything with anything. */
const chaos: fc.Arbitrary<FuzzCase> = fc
  .record({
    target: TARGET,
    method: METHOD,
    path: anyPath,
    headers: headers(50, 50),
    body: maybe(chaosBody, 75),
  })
  .map(({ target, method, path, headers: list, body }) => ({
    target,
    method,
    path,
    ...withBody(method, body, list),
  }));

export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.oneof(coherent, chaos);

/**
 * @module fuzz/paths
 * Methods and paths: every route (its `{id}` a pool id or junk), mostly as
 * clients write them and sometimes twisted with the tricks an attacker tries
 * (dot segments, `%2e`, double and encoded slashes, unicode, NUL, case,
 * percent-encoded letters), a query (`next` with open-redirect payloads), and
 * paths no route claims (random, very long).
 */
import fc from 'fast-check';
import type { Part, Text } from './model';
import { ROUTE, type RouteSpec } from './routes';
import { ALNUM, asciiJunk, chars, maybe, nextValue, ref } from './values';

/**
 * CONNECT is left out: the local simulator answers it itself with a 500
 * before the Worker runs (issue 10, finding 4). Methods workerd does not
 * know (`BREW`) cannot be sent at all.
 */
export const METHOD = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'TRACE',
      'PROPFIND',
      'PURGE',
      'MKCOL',
      'COPY',
      'LOCK',
      'SEARCH',
      'QUERY',
      'REPORT',
      'patch',
      'Delete',
      'post',
    ),
  },
);

const TRICK_SEGMENTS = [
  '/..',
  '/.',
  '/%2e%2e',
  '/%2E',
  '/.%2e',
  '%2F',
  '%2f..',
  '%5C',
  '\\',
  '//',
  '/;a=b',
  '%00',
  '/%00',
  '%zz',
  '%',
  '/é',
  '/%C3%A9',
  '/%ff',
  '/\u{1F600}',
  '/index.html',
  '/.html',
  '/index',
  '~',
];

/** Where a trick goes: before, inside (after the first segment) or after the path. */
function applyTrick(path: string, trick: string, where: number): string {
  if (where === 0) return trick.startsWith('/') ? `${trick}${path}` : `/${trick}${path}`;
  if (where === 1) {
    const cut = path.indexOf('/', 1);
    return cut < 0 ? `${path}${trick}` : `${path.slice(0, cut)}${trick}${path.slice(cut)}`;
  }
  return `${path}${trick}`;
}

function percentEncodeLetters(path: string, every: number): string {
  let i = 0;
  return path.replace(/[a-z]/g, (c) =>
    ++i % every === 0 ? `%${c.charCodeAt(0).toString(16)}` : c,
  );
}

const ID_REFS: Record<string, () => fc.Arbitrary<Part>> = {
  '{tokenId}': () => fc.oneof(fc.constant(ref('tokenId')), chars(['a', 'B', '0', '_'], 0, 20)),
  '{sessionPublicId}': () =>
    fc.oneof(
      fc.constant(ref('sessionPublicId')),
      chars('0123456789abcdef'.split(''), 32, 32),
      asciiJunk.map(encodeURIComponent),
    ),
  '{userId}': () =>
    fc.oneof(
      fc.constant(ref('userId')),
      chars(['0', '1', '9'], 1, 25),
      asciiJunk.map(encodeURIComponent),
    ),
  // A password-reset link: Django's uid of a small id, a token-shaped string, or junk.
  '{uid}': () =>
    fc.oneof(fc.constantFrom('MQ', 'Mg', 'MTIz', 'MA', 'MQ=='), asciiJunk.map(encodeURIComponent)),
  '{resetToken}': () =>
    fc.oneof(chars(ALNUM.concat(['-', '_']), 43, 43), asciiJunk.map(encodeURIComponent)),
};

/** The route's path with every `{param}` filled in: a pool id or junk. */
function fill(path: string): fc.Arbitrary<Text> {
  const match = /\{\w+\}/.exec(path);
  if (!match) return fc.constant([path]);
  const make = ID_REFS[match[0]]!;
  const rest = path.slice(match.index + match[0].length);
  return fc
    .tuple(make(), fill(rest))
    .map(([part, tail]): Text => [path.slice(0, match.index), part, ...tail]);
}

const QUERY = fc.oneof(
  { weight: 6, arbitrary: fc.constant('') },
  { weight: 2, arbitrary: nextValue.map((next) => `?next=${encodeURIComponent(next)}`) },
  { weight: 1, arbitrary: nextValue.map((next) => `?next=${next}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('?', '?a=b&a=c', '?%ff', '?next', `?q=${'q'.repeat(5000)}`),
  },
);

const TRAILING = fc.oneof(
  { weight: 10, arbitrary: fc.constant('/') },
  { weight: 5, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constant('//') },
);

interface Twist {
  trick: string;
  where: number;
  encodeEvery: number;
  upper: boolean;
}

const TWIST: fc.Arbitrary<Twist | undefined> = maybe(
  fc.record({
    trick: fc.constantFrom(...TRICK_SEGMENTS),
    where: fc.integer({ min: 0, max: 2 }),
    encodeEvery: fc.constantFrom(0, 1, 3),
    upper: fc.boolean(),
  }),
  5,
);

/** Applies a twist to the literal parts of a path (ids filled in from the pool stay intact). */
function twisted(parts: Text, twist: Twist | undefined): Text {
  if (!twist) return parts;
  const [first, ...rest] = parts as [string, ...Part[]];
  const tricked: Text =
    twist.where === 2
      ? [...parts, twist.trick]
      : [applyTrick(first, twist.trick, twist.where), ...rest];
  return tricked.map((part) => {
    if (typeof part !== 'string') return part;
    const encoded = twist.encodeEvery > 0 ? percentEncodeLetters(part, twist.encodeEvery) : part;
    return twist.upper ? encoded.toUpperCase() : encoded;
  });
}

/** A route's path, mostly as clients write it, sometimes twisted. */
export function routePath(route: RouteSpec): fc.Arbitrary<Text> {
  return fc
    .tuple(fill(route.path), TWIST, TRAILING, QUERY)
    .map(([parts, twist, slash, query]): Text => [...twisted(parts, twist), slash, query]);
}

/** Paths no route claims: random, very long, or junk under a route's prefix. */
const UNKNOWN_PATH: fc.Arbitrary<Text> = fc.oneof(
  fc.webPath().map((p): Text => [p.startsWith('/') ? p : `/${p}`]),
  fc
    .constantFrom(
      '/',
      '/api',
      '/api/',
      '/api/token/x/',
      '/api-auth/',
      '/.well-known/',
      '/.well-known/openid-configuration',
      '/app%2F',
      '/%61pp/',
      '/APP/',
    )
    .map((p): Text => [p]),
  fc.constantFrom(1_000, 8_000).map((n): Text => ['/api/', { repeat: 'a', times: n }, '/']),
  fc.constantFrom(100, 1_000).map((n): Text => ['/app/', { repeat: '../', times: n }]),
);

export const anyPath: fc.Arbitrary<Text> = fc.oneof(
  { weight: 7, arbitrary: ROUTE.chain(routePath) },
  { weight: 1, arbitrary: UNKNOWN_PATH },
);

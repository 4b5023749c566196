/**
 * @module fuzz/headers
 * Request headers: `Authorization` (Bearer, Token, Basic; the pool's real
 * credentials, forged JWTs, junk), `Cookie` (session, CSRF and the JWT
 * cookies, valid and not), `X-CSRFToken`, `Origin`, `Sec-Fetch-Site`,
 * `Accept`, `CF-Connecting-IP`, `User-Agent`. `Content-Length` is left out:
 * `fetch` computes it, so it cannot disagree with the body.
 */
import fc from 'fast-check';
import type { Part, Text } from './model';
import { ACCESS_COOKIE, REFRESH_COOKIE } from './targets';
import { jwtLike } from './jwts';
import { asciiJunk, chars, headerJunk, maybe, ref, secret } from './values';

const AUTHORIZATION: fc.Arbitrary<Text> = fc.oneof(
  { weight: 3, arbitrary: jwtLike('raw').map((t): Text => ['Bearer ', t]) },
  { weight: 1, arbitrary: fc.constant<Text>(['bearer ', ref('access')]) },
  {
    weight: 3,
    arbitrary: fc.constantFrom<Text>(
      ['Token ', ref('token')],
      ['Token ', ref('scopedToken')],
      ['token\t', ref('token')],
    ),
  },
  { weight: 1, arbitrary: secret().map((s): Text => ['Token ', s]) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        '0123456789abcdef0123456789abcdef01234567',
        'eat_AAAAAAAAAAAAAAAA_' + 'A'.repeat(49),
      )
      .map((t): Text => ['Token ', t]),
  },
  {
    weight: 2,
    arbitrary: fc.constant<Text>(['Basic ', { basic: [ref('username'), ':', ref('password')] }]),
  },
  {
    weight: 1,
    arbitrary: secret().map((s): Text => ['Basic ', { basic: [ref('username'), ':', s] }]),
  },
  {
    weight: 1,
    arbitrary: fc
      .string({ unit: 'grapheme', maxLength: 20 })
      .map((s): Text => ['Basic ', { basic: [s] }]),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        'Bearer',
        'Token',
        'Basic',
        'Bearer a b',
        'Token a b',
        'Basic !!!',
        'Basic =',
        'Digest x',
        '',
      )
      .map((s): Text => [s]),
  },
  { weight: 1, arbitrary: headerJunk.map((s): Text => [s]) },
);

/** Credentials the pool holds, as a client that has them sends them. */
const VALID_AUTHORIZATION = fc.constantFrom<Text>(
  ['Bearer ', ref('access')],
  ['Token ', ref('token')],
  ['Token ', ref('scopedToken')],
  ['Basic ', { basic: [ref('username'), ':', ref('password')] }],
);

const COOKIE_PAIR: fc.Arbitrary<Text> = fc.oneof(
  fc.constant<Text>(['sessionid=', ref('sessionId')]),
  secret().map((s): Text => ['sessionid=1.', s]),
  fc
    .constantFrom('sessionid=', 'sessionid=x', 'sessionid=0.aaaa', 'sessionid="1.x"')
    .map((s): Text => [s]),
  fc.constant<Text>(['csrftoken=', ref('csrf')]),
  chars(['a', 'Z', '9'], 0, 70).map((s): Text => [`csrftoken=${s}`]),
  jwtLike('raw').map((t): Text => [`${ACCESS_COOKIE}=`, t]),
  jwtLike('raw').map((t): Text => [`${REFRESH_COOKIE}=`, t]),
  asciiJunk.map((s): Text => [s.replace(/;/g, '')]),
);

const COOKIE: fc.Arbitrary<Text> = fc
  .tuple(fc.array(COOKIE_PAIR, { minLength: 1, maxLength: 4 }), fc.constantFrom('; ', ';', ', '))
  .map(([pairs, sep]) =>
    pairs.flatMap((pair, i): Part[] => (i === 0 ? [...pair] : [sep, ...pair])),
  );

const OPTIONAL_HEADERS = {
  'X-CSRFToken': fc.oneof(
    fc.constant<Text>([ref('csrf')]),
    asciiJunk.map((s): Text => [s]),
  ),
  Origin: fc
    .constantFrom(
      'http://localhost',
      'https://evil.example',
      'null',
      'http://localhost:8787',
      'http://LOCALHOST',
    )
    .map((s): Text => [s]),
  'Sec-Fetch-Site': fc
    .constantFrom('same-origin', 'same-site', 'cross-site', 'none', 'junk')
    .map((s): Text => [s]),
  Accept: fc
    .constantFrom(
      'text/html,application/xhtml+xml,*/*;q=0.8',
      'application/json',
      '*/*',
      'text/html',
    )
    .map((s): Text => [s]),
  'CF-Connecting-IP': fc
    .constantFrom('203.0.113.7', '::1', 'not an ip', 'x'.repeat(100))
    .map((s): Text => [s]),
  'User-Agent': fc.oneof(
    asciiJunk.map((s): Text => [s]),
    fc.constant<Text>([{ repeat: 'u', times: 2000 }]),
  ),
} as const;

export type HeaderList = [string, Text][];

export const headers = (
  authPercent: number,
  cookiePercent: number,
  authorization = AUTHORIZATION,
): fc.Arbitrary<HeaderList> => {
  const optional = Object.entries(OPTIONAL_HEADERS).map(([name, arb]) =>
    maybe(
      arb.map((value): [string, Text] => [name, value]),
      30,
    ),
  );
  return fc
    .tuple(maybe(authorization, authPercent), maybe(COOKIE, cookiePercent), ...optional)
    .map(([authorization, cookie, ...rest]) => {
      const list: HeaderList = [];
      if (authorization) list.push(['Authorization', authorization]);
      if (cookie) list.push(['Cookie', cookie]);
      for (const header of rest) if (header) list.push(header);
      return list;
    });
};

export const COHERENT_AUTHORIZATION = fc.oneof(
  { weight: 4, arbitrary: VALID_AUTHORIZATION },
  { weight: 1, arbitrary: AUTHORIZATION },
);

/**
 * A browser that holds the pool's session (or, for a login form, only its
 * CSRF cookie): the cookies, the CSRF token in `X-CSRFToken` or left to the
 * form field, and same-origin `Origin` / `Sec-Fetch-Site` when it sends them.
 * Unsafe requests get past the CSRF check, so what lies behind it is fuzzed.
 */
export const BROWSER_HEADERS: fc.Arbitrary<HeaderList> = fc
  .record({
    session: fc.boolean(),
    csrfHeader: fc.boolean(),
    fetchMetadata: fc.boolean(),
    accept: OPTIONAL_HEADERS.Accept,
  })
  .map(({ session, csrfHeader, fetchMetadata, accept }) => {
    const cookie: Text = session
      ? ['sessionid=', ref('sessionId'), '; csrftoken=', ref('csrf')]
      : ['csrftoken=', ref('csrf')];
    const list: HeaderList = [
      ['Cookie', cookie],
      ['Accept', accept],
    ];
    if (csrfHeader) list.push(['X-CSRFToken', [ref('csrf')]]);
    if (fetchMetadata) {
      list.push(['Origin', ['http://localhost']], ['Sec-Fetch-Site', ['same-origin']]);
    }
    return list;
  });

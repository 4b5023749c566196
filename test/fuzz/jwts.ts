/**
 * @module fuzz/jwts
 * What goes where a JWT belongs: the pool's real tokens, junk, and tokens the
 * fuzzer signs itself with the test SECRET_KEY (a valid token with a few
 * claims or header members changed), so that the checks behind the
 * signature are fuzzed too, not only the parser in front of it.
 */
import fc from 'fast-check';
import type { ForgedJwt, Part } from './model';
import { chars, maybe, ref, secret } from './values';

/** Odd values for any claim or header member: wrong types, out of range, absent. */
const ODD_VALUE = fc.constantFrom<unknown>(
  undefined,
  null,
  '',
  'x',
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  2 ** 53,
  true,
  [1],
  { a: 1 },
  '\u0000',
  '\ud800',
);

const CLAIM_MUTATION = fc.oneof(
  fc.record({
    claim: fc.constantFrom(
      'token_type',
      'user_id',
      'jti',
      'exp',
      'iat',
      'fam',
      'nbf',
      'aud',
      'iss',
    ),
    value: ODD_VALUE,
  }),
  fc.record({
    claim: fc.constantFrom('exp', 'iat', 'nbf'),
    value: fc.constantFrom(-86_400, -60, -1, 60, 86_400 * 400).map((rel) => ({ rel })),
  }),
  fc.record({ claim: fc.constant('token_type'), value: fc.constantFrom('refresh', 'other') }),
  fc.record({
    claim: fc.constant('user_id'),
    value: fc.constantFrom(999_999_999, '$userId-as-text'),
  }),
  fc.record({ claim: fc.constant('fam'), value: chars('0123456789abcdef'.split(''), 32, 32) }),
);

const HEADER_MUTATION = fc.record({
  member: fc.constantFrom('alg', 'typ', 'kid', 'crit', 'jku'),
  value: fc.oneof(
    ODD_VALUE,
    fc.constantFrom('none', 'HS512', 'ES256', 'RS256', 'http://evil.example/'),
  ),
});

/**
 * A JWT signed with the test SECRET_KEY: a valid access (or refresh) token
 * for the pool's user, then a few claims or header members changed, so the
 * claim checks behind the signature are what gets fuzzed.
 */
export const forgedJwt: fc.Arbitrary<ForgedJwt> = fc
  .record({
    type: fc.constantFrom('access', 'refresh'),
    claims: fc.array(CLAIM_MUTATION, { maxLength: 2 }),
    header: maybe(HEADER_MUTATION, 15),
    signature: maybe(fc.constantFrom('', 'AAAA', 'not.base64!', 'A'.repeat(43)), 10),
    jti: chars('0123456789abcdef'.split(''), 32, 32),
  })
  .map((r): ForgedJwt => {
    const header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' };
    const claims: Record<string, unknown> = {
      token_type: r.type,
      exp: r.type === 'access' ? 300 : 86_400,
      iat: 0,
      jti: r.jti,
      user_id: '$userId',
    };
    const relativeTimes = new Set(['exp', 'iat']);
    for (const { claim, value } of r.claims) {
      const rel = typeof value === 'object' && value !== null && 'rel' in value;
      claims[claim] = rel ? (value as { rel: number }).rel : value;
      if (rel) relativeTimes.add(claim);
      else relativeTimes.delete(claim);
    }
    if (r.header) header[r.header.member] = r.header.value;
    return {
      header,
      claims,
      relativeTimes: [...relativeTimes],
      ...(r.signature === undefined ? {} : { signature: r.signature }),
    };
  });

/** Something in the place of a JWT: a pool token, a forged one, or junk. */
export function jwtLike(enc: 'raw' | 'json' | 'url'): fc.Arbitrary<Part> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(ref('access', enc)) },
    { weight: 2, arbitrary: fc.constant(ref('refresh', enc)) },
    { weight: 3, arbitrary: forgedJwt.map((forged): Part => ({ forged, enc })) },
    { weight: 1, arbitrary: secret(enc) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('a.b.c', 'e30.e30.', '...', 'eyJhbGciOiJub25lIn0.e30.')
        .map((s): Part => (enc === 'json' ? JSON.stringify(s) : s)),
    },
  );
}

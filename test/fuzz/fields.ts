/**
 * @module fuzz/fields
 * The body fields the routes read (`username`, `password`, `refresh`,
 * `scopes`, ...), each with values mostly valid (so handlers are reached) and
 * sometimes wrong, as JSON text or as a form value; and complete bodies of a
 * route's fields.
 */
import fc from 'fast-check';
import { jwtLike } from './jwts';
import type { Text } from './model';
import {
  ALNUM,
  LOWER_ALNUM,
  asciiJunk,
  chars,
  formEncode,
  nastyString,
  nextValue,
  ref,
  secret,
} from './values';

export type Enc = 'json' | 'url';

/** Three valid values for one invalid one: handlers must be reached, not only validators. */
function mostlyValid(valid: fc.Arbitrary<Text>, invalid: fc.Arbitrary<Text>): fc.Arbitrary<Text> {
  return fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: invalid });
}

function plain(enc: Enc) {
  return (arb: fc.Arbitrary<string>) =>
    arb.map((s): Text => [enc === 'json' ? JSON.stringify(s) : formEncode(s)]);
}

/** JSON literals as they are, or (for a form) their text. */
function literal(enc: Enc, values: readonly string[]): fc.Arbitrary<Text> {
  return fc
    .constantFrom(...values)
    .map((s): Text => [enc === 'json' ? s : formEncode(s.replace(/^"|"$/g, ''))]);
}

function passwordValue(enc: Enc, fresh = false): fc.Arbitrary<Text> {
  const long = fc
    .constantFrom(1024, 1025, 5000)
    .map((n): Text =>
      enc === 'json' ? ['"', { repeat: 'p', times: n }, '"'] : [{ repeat: 'p', times: n }],
    );
  const pool = fc.constant<Text>([ref('password', enc)]);
  const random = secret(enc).map((p): Text => [p]);
  return mostlyValid(
    fresh ? random : fc.oneof({ weight: 2, arbitrary: pool }, { weight: 1, arbitrary: random }),
    fc.oneof(fc.constant<Text>([ref('secretKey', enc)]), long, plain(enc)(nastyString)),
  );
}

/** DRF's `BooleanField` spellings, and values it refuses. */
function booleanValue(enc: Enc): fc.Arbitrary<Text> {
  return mostlyValid(
    literal(enc, ['true', 'false', '"on"', '"0"', '1']),
    literal(enc, ['"maybe"', '2', 'null', '[]', '""', '{}']),
  );
}

const freshUsername = (enc: Enc) => plain(enc)(chars(ALNUM, 12, 12).map((s) => `u_${s}`));

const FIELD_VALUES: Record<string, (enc: Enc) => fc.Arbitrary<Text>> = {
  username: (enc) =>
    mostlyValid(
      fc.oneof(
        { weight: 2, arbitrary: fc.constant<Text>([ref('username', enc)]) },
        { weight: 1, arbitrary: freshUsername(enc) },
      ),
      plain(enc)(nastyString),
    ),
  'username:new': (enc) =>
    mostlyValid(
      freshUsername(enc),
      fc.oneof(fc.constant<Text>([ref('username', enc)]), plain(enc)(nastyString)),
    ),
  password: passwordValue,
  'password:new': (enc) => passwordValue(enc, true),
  password1: passwordValue,
  password2: passwordValue,
  old_password: passwordValue,
  new_password1: (enc) => passwordValue(enc, true),
  new_password2: (enc) => passwordValue(enc, true),
  uid: (enc) =>
    mostlyValid(plain(enc)(fc.constantFrom('MQ', 'Mg', 'MTIz')), plain(enc)(nastyString)),
  refresh: (enc) => jwtLike(enc).map((part): Text => [part]),
  token: (enc) => jwtLike(enc).map((part): Text => [part]),
  csrfmiddlewaretoken: (enc) =>
    mostlyValid(
      fc.constant<Text>([ref('csrf', enc)]),
      plain(enc)(fc.oneof(chars(ALNUM, 64, 64), asciiJunk)),
    ),
  next: (enc) => plain(enc)(nextValue),
  expires_in: (enc) =>
    mostlyValid(
      literal(enc, ['60', '3600', '"3600"']),
      literal(enc, ['59', '3.5', '1e308', '-1', '315360001', '"x"']),
    ),
  scopes: (enc) =>
    mostlyValid(
      literal(enc, ['["read"]', '[]', '["read","write:all"]']),
      literal(enc, ['"read"', '[1]', '["bad scope!"]', JSON.stringify(Array(21).fill('s'))]),
    ),
  name: (enc) =>
    mostlyValid(
      plain(enc)(chars(ALNUM, 1, 20)),
      plain(enc)(fc.oneof(fc.constant('n'.repeat(101)), nastyString)),
    ),
  // A confirmation key: the shape of one (never issued), or anything.
  key: (enc) =>
    mostlyValid(
      plain(enc)(chars([...ALNUM, '-', '_'], 43, 43)),
      plain(enc)(fc.oneof(asciiJunk, nastyString)),
    ),
  email: (enc) =>
    mostlyValid(
      plain(enc)(chars(LOWER_ALNUM, 1, 12).map((s) => `${s}@example.com`)),
      plain(enc)(nastyString),
    ),
  is_active: (enc) => booleanValue(enc),
  is_staff: (enc) => booleanValue(enc),
};

/** A value for a field (`name` or `name:hint`), mostly valid, as a JSON text or a form value. */
export function fieldValue(field: string, enc: Enc): fc.Arbitrary<Text> {
  return (FIELD_VALUES[field] ?? FIELD_VALUES.email!)(enc);
}

export const KNOWN_FIELDS = [
  'username',
  'password',
  'password1',
  'password2',
  'old_password',
  'new_password1',
  'new_password2',
  'uid',
  'email',
  'refresh',
  'token',
  'name',
  'expires_in',
  'scopes',
  'is_active',
  'is_staff',
  'next',
  'csrfmiddlewaretoken',
  'key',
] as const;

/** The second of two password fields, and the field it usually repeats. */
const REPEATS: Readonly<Record<string, string>> = {
  password2: 'password1',
  new_password2: 'new_password1',
};

/**
 * Every field of one of the route's bodies, each with a mostly valid value
 * (`password2` usually repeats `password1`, `new_password2` repeats
 * `new_password1`): a body the handler can act on.
 */
export function completeFields(
  fieldSets: readonly (readonly string[])[],
  enc: 'json' | 'url',
): fc.Arbitrary<(readonly [string, Text])[]> {
  const sets = fieldSets.length > 0 ? fieldSets : [[]];
  return fc.constantFrom(...sets).chain((fields) =>
    fc
      .tuple(
        fc.tuple(
          ...fields.map((name) => fieldValue(name, enc).map((value) => [name, value] as const)),
        ),
        fc.boolean(),
        fc.boolean(),
      )
      .map(([entries, repeat, repeatAgain]) => {
        const named = entries.map(([name, value]) => [name.split(':')[0]!, value] as const);
        if (!(repeat || repeatAgain)) return named;
        const values = new Map(named);
        return named.map(([name, value]) => {
          const first = REPEATS[name] === undefined ? undefined : values.get(REPEATS[name]);
          return [name, first ?? value] as const;
        });
      }),
  );
}

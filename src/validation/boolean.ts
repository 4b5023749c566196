/**
 * @module validation/boolean
 * DRF's `BooleanField` (3.14) as a body field: the same true and false
 * spellings (`true`, `"true"`, `"on"`, `1`, `"1"`, `"yes"`, ...), `null`
 * refused as `This field may not be null.`, anything else
 * `Must be a valid boolean.`; optional, as in a `PATCH`.
 *
 * @example
 * const changes = body({ is_active: boolean({ description: 'Whether the account may log in.' }) });
 */
import { custom, type Field } from './schema';

const TRUE_VALUES: ReadonlySet<unknown> = new Set([
  't',
  'T',
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'true',
  'True',
  'TRUE',
  'on',
  'On',
  'ON',
  '1',
  1,
  true,
]);

const FALSE_VALUES: ReadonlySet<unknown> = new Set([
  'f',
  'F',
  'n',
  'N',
  'no',
  'No',
  'NO',
  'false',
  'False',
  'FALSE',
  'off',
  'Off',
  'OFF',
  '0',
  0,
  false,
]);

export const BOOLEAN_INVALID = 'Must be a valid boolean.';

/**
 * An optional boolean field. Python compares `1.0 == 1` and `-0.0 == 0`, and
 * so does a `Set` of numbers here: JSON `1.0` is true, `-0` false.
 */
export function boolean(spec: { description?: string } = {}): Field<boolean, false> {
  return custom({
    schema: { type: 'boolean', ...spec },
    read(fields, name, data) {
      if (!fields.has(name)) return undefined;
      const value = data[name];
      if (TRUE_VALUES.has(value)) return true;
      if (FALSE_VALUES.has(value)) return false;
      fields.add(name, value === null ? 'This field may not be null.' : BOOLEAN_INVALID);
      return undefined;
    },
  });
}

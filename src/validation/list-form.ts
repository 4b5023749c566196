/**
 * @module validation/list-form
 * How a password is compared with the common-password lists: Django's
 * `CommonPasswordValidator` rule, `password.lower().strip()`. The breached
 * list is built with the same rule (`scripts/breached-passwords/`), so a
 * lookup normalises exactly as the list was written.
 */

/**
 * The form a password takes in the lists: lower-cased, surrounding white
 * space removed. `Password1 ` and `PASSWORD1` both become `password1`.
 *
 * @example
 * listForm(' Qwerty123 '); // 'qwerty123'
 */
export function listForm(password: string): string {
  return password.toLowerCase().trim();
}

/** Python's `len()`: code points, not UTF-16 units. */
export function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

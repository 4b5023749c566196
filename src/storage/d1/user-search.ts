/**
 * @module storage/d1/user-search
 * The admin list's `?search=` as one SQL condition: DRF's `SearchFilter`
 * over `username` and `email` with `icontains`. Every term must be found in
 * the username or in the email. Usernames are searched through their key
 * (`username_key`, fully case-folded), so case never matters there; emails
 * through SQLite's `lower()`, which folds ASCII letters only (as `LIKE` and
 * Django's `icontains` on SQLite do).
 *
 * A term is found with `instr()`, not `LIKE`: it has no wildcards to escape,
 * so a term is always a literal substring, and D1 refuses any LIKE pattern
 * over 50 bytes ("LIKE or GLOB pattern too complex"), which a long email
 * address is. The terms travel as one JSON parameter read with `json_each`,
 * so any number of them is one bound parameter (D1 allows 100 per query).
 */
import { sql, type SQL } from 'drizzle-orm';
import { usernameKey } from '../../validation/username';
import { users } from './schema';

/** SQLite's `lower()` without ICU: ASCII letters only. */
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/**
 * The condition a user row must meet; undefined: no terms, every row.
 *
 * @example
 * db.select().from(users).where(searchCondition(['ada', 'example.org']));
 */
export function searchCondition(terms: readonly string[]): SQL | undefined {
  if (terms.length === 0) return undefined;
  const needles = JSON.stringify(terms.map((term) => [usernameKey(term), asciiLower(term)]));
  // A correlated NOT EXISTS: no term that neither the username key nor the email contains.
  return sql`NOT EXISTS (SELECT 1 FROM json_each(${needles}) AS term WHERE instr(${users.usernameKey}, json_extract(term.value, '$[0]')) = 0 AND instr(lower(${users.email}), json_extract(term.value, '$[1]')) = 0)`;
}

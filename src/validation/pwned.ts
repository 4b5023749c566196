/**
 * @module validation/pwned
 * The optional online check against Have I Been Pwned's Pwned Passwords
 * (`PASSWORD_PWNED_CHECK`, off by default), with k-anonymity: only the first
 * 5 hex digits of the password's SHA-1 leave the Worker; the API answers
 * every suffix it knows under that prefix, and the match is made here.
 * `Add-Padding: true` makes every answer about the same size (padding lines
 * have a count of 0), so the size does not reveal the prefix either.
 *
 * Neither the password nor its hash is ever logged. When the API cannot be
 * reached (error, non-200, timeout), `PASSWORD_PWNED_FAIL_CLOSED` decides:
 * refuse with a 503, or accept the password (the offline checks still ran).
 * A password found in breaches gets Django's `CommonPasswordValidator`
 * message, as the offline list does.
 */
import type { AuthConfig } from '../config';
import { toHex, utf8 } from '../crypto/encoding';
import { ApiError } from '../errors';
import { COMMON_PASSWORD_MESSAGE } from './passwords';

/** What clients see when the check is required and the API is down. */
export const PWNED_UNAVAILABLE_DETAIL =
  'The breached-password check is unavailable. Try again later.';

/** The API could not answer; `reason` is for the log and names no secret. */
class PwnedUnavailable extends Error {}

/** `fetch`, or a stand-in with its signature. */
export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

async function sha1Hex(password: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', utf8(password));
  return toHex(new Uint8Array(digest)).toUpperCase();
}

async function fetchRange(config: AuthConfig, prefix: string, fetcher: Fetch): Promise<string> {
  let res: Response;
  try {
    res = await fetcher(`${config.PASSWORD_PWNED_API_URL}/range/${prefix}`, {
      headers: { 'Add-Padding': 'true', 'User-Agent': 'edgeauth' },
      signal: AbortSignal.timeout(Math.round(config.PASSWORD_PWNED_TIMEOUT * 1000)),
    });
  } catch (err) {
    const timedOut = err instanceof Error && err.name === 'TimeoutError';
    throw new PwnedUnavailable(timedOut ? 'timed out' : 'request failed', { cause: err });
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new PwnedUnavailable(`answered ${res.status}`);
  }
  try {
    return await res.text();
  } catch (err) {
    throw new PwnedUnavailable('the answer was cut off', { cause: err });
  }
}

/** How many breaches the API lists the suffix in: 0 when absent (padding lines count 0). */
function countFor(range: string, suffix: string): number {
  for (const line of range.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.slice(0, colon).trim().toUpperCase() !== suffix) continue;
    const count = Number.parseInt(line.slice(colon + 1), 10);
    return Number.isFinite(count) ? count : 0;
  }
  return 0;
}

/**
 * The problems the Pwned Passwords check finds with a new password: none when
 * the check is off, the password is unknown to the API, or the API is down
 * and the check fails open. Throws a 503 `ApiError` when the API is down and
 * `PASSWORD_PWNED_FAIL_CLOSED` is set.
 *
 * @example
 * await checkPwnedPassword('P@ssw0rd', config); // ['This password is too common.']
 */
export async function checkPwnedPassword(
  password: string,
  config: AuthConfig,
  fetcher: Fetch = (input, init) => fetch(input, init),
): Promise<string[]> {
  if (!config.PASSWORD_PWNED_CHECK) return [];
  const hash = await sha1Hex(password);
  let count: number;
  try {
    count = countFor(await fetchRange(config, hash.slice(0, 5), fetcher), hash.slice(5));
  } catch (err) {
    if (!(err instanceof PwnedUnavailable)) throw err;
    const reason = `Pwned Passwords API ${err.message}`;
    if (config.PASSWORD_PWNED_FAIL_CLOSED) {
      throw new ApiError('service_unavailable', PWNED_UNAVAILABLE_DETAIL, { reason, cause: err });
    }
    console.warn(`edgeauth: ${reason}; the password was accepted (PASSWORD_PWNED_FAIL_CLOSED)`);
    return [];
  }
  return count >= config.PASSWORD_PWNED_MIN_COUNT ? [COMMON_PASSWORD_MESSAGE] : [];
}

/**
 * @module errors
 * The errors edgeauth answers with, and the one place that turns them into
 * DRF-shaped responses.
 *
 * Domain code throws {@link AuthError} (authentication and permission
 * failures), {@link ApiError} (any other `{"detail", "code"}` answer: 404,
 * 405, 413, 415, 429, 503) or {@link ValidationError} (DRF's
 * `{"field": ["message"]}` answer). Storage
 * failures arrive as {@link StorageUnavailableError} and become a 503: the
 * request fails closed. An invalid setting (`ConfigError`, or a key that
 * does not import, `KeyImportError`) is a 503 too.
 * Anything else is a bug and becomes a bare 500 whose
 * body says nothing about its cause; the cause goes to the log.
 */

import { ConfigError } from './config/parse';
import { KeyImportError } from './crypto/jwt-keys';

/** The codes of authentication and permission failures: DRF's and simplejwt's. */
export type AuthErrorCode =
  | 'not_authenticated'
  | 'authentication_failed'
  | 'permission_denied'
  | 'token_not_valid'
  | 'user_not_found'
  | 'user_inactive'
  | 'bad_authorization_header'
  | 'no_active_account';

/**
 * The `code` of every `{"detail", "code"}` error body: the authentication
 * codes, DRF's request errors, and edgeauth's `service_unavailable` and
 * `request_too_large`.
 */
export type ErrorCode =
  | AuthErrorCode
  | 'not_found'
  | 'method_not_allowed'
  | 'parse_error'
  | 'unsupported_media_type'
  | 'request_too_large'
  | 'throttled'
  | 'service_unavailable'
  | 'server_error';

/** Codes that DRF answers with 401 + `WWW-Authenticate` when the view has a challenge, else 403. */
const AUTHENTICATION_CODES: ReadonlySet<ErrorCode> = new Set([
  'not_authenticated',
  'authentication_failed',
  'token_not_valid',
  'user_not_found',
  'user_inactive',
  'bad_authorization_header',
  'no_active_account',
]);

const DEFAULT_STATUS: Partial<Record<ErrorCode, number>> = {
  permission_denied: 403,
  not_found: 404,
  method_not_allowed: 405,
  parse_error: 400,
  unsupported_media_type: 415,
  request_too_large: 413,
  throttled: 429,
  service_unavailable: 503,
  server_error: 500,
};

export interface ErrorOptions {
  /** HTTP status; by default derived from the code (see {@link ApiError}). */
  status?: number;
  /** `WWW-Authenticate` value; for authentication errors this forces a 401. */
  challenge?: string;
  /** Extra body members after `detail` and `code` (simplejwt's `messages`). */
  extra?: Record<string, unknown>;
  /** Extra response headers (`Allow`, `Retry-After`). */
  headers?: Record<string, string>;
  /** What really went wrong, for the log only; never sent to the client. */
  reason?: string;
  cause?: unknown;
}

/**
 * An error answered as `{"detail": ..., "code": ...}`, with the status its
 * code implies (404, 405, 413, ...) unless `options.status` says otherwise.
 *
 * @example
 * throw new ApiError('not_found', 'Not found.');
 */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly detail: string;
  readonly options: ErrorOptions;

  constructor(code: ErrorCode, detail: string, options: ErrorOptions = {}) {
    super(detail, { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.detail = detail;
    this.options = options;
  }

  /** True for the errors DRF raises as `NotAuthenticated` / `AuthenticationFailed`. */
  get isAuthenticationFailure(): boolean {
    return AUTHENTICATION_CODES.has(this.code);
  }
}

/**
 * An authentication or permission failure.
 *
 * For authentication failures (`not_authenticated`, `authentication_failed`,
 * `token_not_valid`, ...) the status follows DRF's rule: 401 with the
 * `WWW-Authenticate` challenge of the route's first authentication class, or
 * 403 when that class has none (session authentication).
 *
 * @example
 * throw new AuthError('authentication_failed', 'Invalid token.', { reason: 'digest mismatch' });
 */
export class AuthError extends ApiError {
  declare readonly code: AuthErrorCode;

  constructor(code: AuthErrorCode, detail: string, options: ErrorOptions = {}) {
    super(code, detail, options);
    this.name = 'AuthError';
  }
}

/** DRF's `NotAuthenticated`, with its default text. */
export function notAuthenticated(): AuthError {
  return new AuthError('not_authenticated', 'Authentication credentials were not provided.');
}

/** DRF's `PermissionDenied`, with its default text. */
export function permissionDenied(
  detail = 'You do not have permission to perform this action.',
): AuthError {
  return new AuthError('permission_denied', detail);
}

/**
 * A 400 with DRF's serializer error body: `{"field": ["message", ...]}`, or
 * `{"non_field_errors": [...]}` for errors about the whole input.
 *
 * @example
 * throw new ValidationError({ username: ['This field is required.'] });
 */
export class ValidationError extends Error {
  readonly fields: Readonly<Record<string, string[]>>;

  constructor(fields: Record<string, string[]>) {
    super('Invalid input.');
    this.name = 'ValidationError';
    this.fields = fields;
  }

  static nonField(message: string): ValidationError {
    return new ValidationError({ non_field_errors: [message] });
  }
}

/**
 * D1 or KV could not be reached or answered with an error. Authentication
 * fails closed on it (503), and a write that raised it is never reported as
 * done.
 */
export class StorageUnavailableError extends Error {
  constructor(
    readonly store: string,
    cause: unknown,
  ) {
    super(`${store} is unavailable`, { cause });
    this.name = 'StorageUnavailableError';
  }
}

/** The body of the 503 answered when storage cannot be used. */
export const SERVICE_UNAVAILABLE_DETAIL =
  'The authentication service is temporarily unavailable. Try again later.';

/**
 * The `detail` of the 503 answered while a setting is invalid. Only a
 * development deployment names the setting: anyone may send a request, and
 * which setting is broken is a hint for an attacker, not for the client. The
 * log always names it.
 */
export function misconfiguredDetail(setting: string, development: boolean): string {
  return development
    ? `The service is misconfigured (setting ${setting}); see the server log.`
    : 'The service is misconfigured; see the server log.';
}

/** Response parts for an error; the HTTP layer (`http/errors.ts`) renders them. */
export interface ErrorAnswer {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
  /** A line for the log when the answer hides a server-side problem. */
  log?: string;
}

/**
 * Maps any thrown value to the answer the client sees. `challenge` is the
 * `WWW-Authenticate` value of the route's first authentication class;
 * `development` (`ENVIRONMENT=development`) lets a 503 name a bad setting.
 */
export function toErrorAnswer(
  err: unknown,
  challenge: string | undefined,
  development = false,
): ErrorAnswer {
  if (err instanceof ApiError) return apiErrorAnswer(err, challenge);
  if (err instanceof ValidationError) return { status: 400, body: { ...err.fields }, headers: {} };
  if (err instanceof ConfigError || err instanceof KeyImportError) {
    return {
      status: 503,
      body: {
        detail: misconfiguredDetail(err.setting, development),
        code: 'service_unavailable',
      },
      headers: {},
      log: `refusing to serve: ${err.message}`,
    };
  }
  if (err instanceof StorageUnavailableError) {
    return {
      status: 503,
      body: { detail: SERVICE_UNAVAILABLE_DETAIL, code: 'service_unavailable' },
      headers: { 'Retry-After': '5' },
      log: `storage unavailable: ${err.store}: ${describe(err.cause)}`,
    };
  }
  return {
    status: 500,
    body: { detail: 'A server error occurred.', code: 'server_error' },
    headers: {},
    log: `unhandled error: ${describe(err)}`,
  };
}

function apiErrorAnswer(err: ApiError, routeChallenge: string | undefined): ErrorAnswer {
  const { options } = err;
  const headers: Record<string, string> = { ...options.headers };
  let status = options.status ?? DEFAULT_STATUS[err.code] ?? 400;
  if (err.isAuthenticationFailure && options.status === undefined) {
    const challenge = options.challenge ?? routeChallenge;
    status = challenge ? 401 : 403;
    if (challenge) headers['WWW-Authenticate'] = challenge;
  } else if (options.challenge) {
    headers['WWW-Authenticate'] = options.challenge;
  }
  const answer: ErrorAnswer = {
    status,
    body: { detail: err.detail, code: err.code, ...options.extra },
    headers,
  };
  if (err.code === 'service_unavailable' || err.code === 'server_error') {
    answer.log = `${err.code}: ${options.reason ?? err.detail}`;
  }
  return answer;
}

/** One short line about an error for the log: names and messages, never request data. */
export function describe(err: unknown): string {
  let text: string;
  if (err instanceof Error) {
    const cause = err.cause === undefined ? '' : ` (cause: ${describe(err.cause)})`;
    text = `${err.name}: ${err.message}${cause}`;
  } else {
    text = String(err);
  }
  const line = text.replace(/\s+/g, ' ');
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

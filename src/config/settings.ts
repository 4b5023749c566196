/**
 * @module config/settings
 * Every setting edgeauth reads, with its parser and default. Names follow
 * DRF, Django and simplejwt where they have one. The README's settings table
 * documents each entry here (a test keeps the two in step).
 */
import {
  JWT_ALGORITHMS,
  signingKey,
  verifyingKeys,
  type JwtAlgorithm,
  type KeyMaterial,
  type VerifyingKey,
} from './keys';
import {
  ConfigError,
  boolean,
  decimal,
  duration,
  integer,
  fromAddress,
  listOf,
  oneOf,
  text,
  type Parser,
} from './parse';

/** Authentication classes that `DEFAULT_AUTHENTICATION_CLASSES` can name. */
export const AUTHENTICATION_CLASS_NAMES = [
  'JWTAuthentication',
  'TokenAuthentication',
  'SessionAuthentication',
  'BasicAuthentication',
] as const;
export type AuthenticationClassName = (typeof AUTHENTICATION_CLASS_NAMES)[number];

/** Django's four password validators, by their Django names. */
export const PASSWORD_VALIDATOR_NAMES = [
  'UserAttributeSimilarityValidator',
  'MinimumLengthValidator',
  'CommonPasswordValidator',
  'NumericPasswordValidator',
] as const;
export type PasswordValidatorName = (typeof PASSWORD_VALIDATOR_NAMES)[number];

/** The mail backends `EMAIL_BACKEND` can name (README, Mail). */
export const EMAIL_BACKENDS = ['outbox', 'postmark', 'cloudflare'] as const;
export type EmailBackendName = (typeof EMAIL_BACKENDS)[number];

/** Postmark's endpoint for one mail, `EMAIL_API_URL`'s default. */
export const POSTMARK_EMAIL_URL = 'https://api.postmarkapp.com/email';

const DAY = 86_400;

/** A token, cookie or header name: RFC 7230 token characters. */
function headerToken(): Parser<string> {
  return (raw, name) => {
    const value = text()(raw, name);
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value)) {
      throw new ConfigError(name, 'must be a single token of letters, digits and -_.');
    }
    return value;
  };
}

/** A list of origins such as `https://app.example.com`, for `CSRF_TRUSTED_ORIGINS`. */
const origin: Parser<string> = (raw, name) => {
  const value = text()(raw, name);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(
      name,
      `${JSON.stringify(value)} is not an origin like https://example.com`,
    );
  }
  if (parsed.origin !== value) {
    throw new ConfigError(name, `${JSON.stringify(value)} is not an origin (scheme://host[:port])`);
  }
  return value;
};

const tokenPrefix: Parser<string> = (raw, name) => {
  const value = text()(raw, name);
  if (!/^[a-z][a-z0-9]{1,9}$/.test(value)) {
    throw new ConfigError(
      name,
      'must be 2 to 10 lower-case letters and digits, starting with a letter',
    );
  }
  return value;
};

/** A same-site absolute path such as `/app/`: never `//host` or a URL. */
const sitePath: Parser<string> = (raw, name) => {
  const value = text()(raw, name);
  if (!/^\/(?![/\\])[^\s\\]*$/.test(value)) {
    throw new ConfigError(name, 'must be a path on this site, starting with a single "/"');
  }
  return value;
};

/** A path, optionally ending in `*`, for the static-site gate's exceptions. */
const pathPattern: Parser<string> = (raw, name) => {
  const value = text()(raw, name);
  if (!/^\/[A-Za-z0-9._~%/-]*\*?$/.test(value)) {
    throw new ConfigError(name, `${JSON.stringify(value)} is not a path like /app/ or /app/*`);
  }
  return value;
};

/**
 * A protected folder, `/folder/*`. A single file cannot be protected: the
 * asset router serves `/x.html` as `/x` too, without running the Worker.
 */
const folderPattern: Parser<string> = (raw, name) => {
  const value = pathPattern(raw, name);
  if (!/^\/([A-Za-z0-9._~%-]+\/)*\*$/.test(value)) {
    throw new ConfigError(name, `${JSON.stringify(value)} is not a folder pattern like /app/*`);
  }
  return value;
};

/** A word a password must not be built on: 1 to 100 characters, with a letter or digit. */
const contextWord: Parser<string> = (raw, name) => {
  const value = text()(raw, name).trim();
  if (value.length > 100 || !/[\p{L}\p{N}]/u.test(value)) {
    throw new ConfigError(name, `${JSON.stringify(value)} is not a word of 1 to 100 characters`);
  }
  return value;
};

/**
 * An https URL without a query or fragment (an API's base URL or endpoint),
 * without a trailing slash.
 */
const httpsUrl: Parser<string> = (raw, name) => {
  const value = text()(raw, name).trim();
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    parsed = undefined;
  }
  if (parsed?.protocol !== 'https:' || parsed.search !== '' || parsed.hash !== '') {
    // Never the value: a URL can carry credentials, and this message is logged.
    throw new ConfigError(name, 'is not an https:// URL without a query or fragment');
  }
  return value.replace(/\/+$/, '');
};

/**
 * Where a confirmation mail links to: an `http(s)://` URL (a frontend) or a
 * path on this site, with `{key}` exactly once where the key goes. Keys are
 * base64url, so they need no escaping in a URL.
 */
const confirmationUrl: Parser<string> = (raw, name) => {
  const value = text()(raw, name).trim();
  if (value.split('{key}').length !== 2) {
    throw new ConfigError(name, 'must contain {key} exactly once, where the key goes');
  }
  const sample = value.replace('{key}', 'k');
  let absolute: URL | undefined;
  try {
    absolute = new URL(sample);
  } catch {
    absolute = undefined;
  }
  const web = absolute?.protocol === 'https:' || absolute?.protocol === 'http:';
  if (!web && !/^\/(?![/\\])\S*$/.test(sample)) {
    // Never the value: a URL can carry credentials, and this message is logged.
    throw new ConfigError(
      name,
      'must be an http(s):// URL or a path on this site starting with "/"',
    );
  }
  return value;
};

/**
 * Where a password-reset mail links to: an `http(s)://` URL without a query
 * or fragment, or a path on this site (`/reset/`); kept with a final `/`, to
 * which `<uid>/<token>/` is appended.
 */
const resetUrl: Parser<string> = (raw, name) => {
  const value = text()(raw, name).trim();
  let parsed: URL | undefined;
  try {
    parsed = new URL(value, 'https://site.invalid');
  } catch {
    parsed = undefined;
  }
  const absolute = /^https?:\/\//i.test(value);
  const path = /^\/(?![/\\])[^\s\\]*$/.test(value);
  if (!parsed || (!absolute && !path) || /[?#\s]/.test(value)) {
    // Never the value: a URL can carry credentials, and this message is logged.
    throw new ConfigError(
      name,
      'must be an http(s):// URL or a path on this site, without a query or fragment',
    );
  }
  return value.endsWith('/') ? value : `${value}/`;
};

function routePrefix(): Parser<string> {
  return (raw, name) => {
    const value = text()(raw, name);
    if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(value)) {
      throw new ConfigError(
        name,
        'must start with "/", not end with "/", and use URL-safe characters',
      );
    }
    return value;
  };
}

interface Setting<T> {
  parse: Parser<T>;
  default: T | undefined;
}

function setting<T>(parse: Parser<T>, defaultValue?: T): Setting<T> {
  return { parse, default: defaultValue };
}

/**
 * The settings table. `default: undefined` marks a setting that must be
 * given (a secret).
 */
export const SETTINGS = {
  /** `production` refuses to serve with a missing or weak secret; `development` warns instead. */
  ENVIRONMENT: setting(oneOf(['production', 'development']), 'production'),
  /** Server secret (HMAC keys for CSRF and token digests; the HS256 key unless `SIGNING_KEY` is set). At least 32 characters. */
  SECRET_KEY: setting<string>(text()),
  /** Authentication classes tried in order when a route does not name its own. */
  DEFAULT_AUTHENTICATION_CLASSES: setting<readonly AuthenticationClassName[]>(
    listOf(oneOf(AUTHENTICATION_CLASS_NAMES), { unique: true }),
    ['JWTAuthentication', 'TokenAuthentication', 'SessionAuthentication'],
  ),
  /** Whether `POST <ROUTE_PREFIX_AUTH>/register/` creates accounts. */
  REGISTRATION_OPEN: setting(boolean, true),
  /** The site's name, in the mails the account flows send. */
  SITE_NAME: setting(text(), 'edgeauth'),
  /** allauth: `none` (no mail), `optional` (a verification mail at registration), `mandatory` (no login until the address is confirmed). */
  ACCOUNT_EMAIL_VERIFICATION: setting(oneOf(['none', 'optional', 'mandatory']), 'none'),
  /** allauth: days an email confirmation key stays valid. */
  ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS: setting(integer({ min: 1, max: 365 }), 3),
  /** The link in confirmation mails, with `{key}` where the key goes; unset: this Worker's confirm page. */
  ACCOUNT_EMAIL_CONFIRMATION_URL: setting<string | undefined>(confirmationUrl),
  /** argon2id memory cost in KiB (OWASP: 19456 = 19 MiB). */
  PASSWORD_ARGON2_MEMORY_KIB: setting(integer({ min: 8, max: 65536 }), 19456),
  /** argon2id passes (OWASP: 2). */
  PASSWORD_ARGON2_ITERATIONS: setting(integer({ min: 1, max: 16 }), 2),
  /** argon2id lanes (OWASP: 1). */
  PASSWORD_ARGON2_PARALLELISM: setting(integer({ min: 1, max: 8 }), 1),
  /** Longest password accepted, in characters; longer ones are a 400, never hashed. */
  PASSWORD_MAX_LENGTH: setting(integer({ min: 16, max: 4096 }), 1024),
  /** Password validators run wherever a password is set (registration, createsuperuser). */
  AUTH_PASSWORD_VALIDATORS: setting<readonly PasswordValidatorName[]>(
    listOf(oneOf(PASSWORD_VALIDATOR_NAMES), { unique: true }),
    PASSWORD_VALIDATOR_NAMES,
  ),
  /** `MinimumLengthValidator`'s minimum. */
  PASSWORD_MIN_LENGTH: setting(integer({ min: 1, max: 128 }), 8),
  /** `UserAttributeSimilarityValidator`'s threshold (0.1 to 1). */
  PASSWORD_MAX_SIMILARITY: setting(decimal({ min: 0.1, max: 1 }), 0.7),
  /** Words tied to the site (its and the company's names): `UserAttributeSimilarityValidator` refuses passwords built on them. */
  PASSWORD_CONTEXT_WORDS: setting<readonly string[]>(listOf(contextWord), ['edgeauth']),
  /** Ask Have I Been Pwned's Pwned Passwords range API (k-anonymity) about every new password. */
  PASSWORD_PWNED_CHECK: setting(boolean, false),
  /** Base URL of the Pwned Passwords API (`<url>/range/<5 hex digits>`). */
  PASSWORD_PWNED_API_URL: setting(httpsUrl, 'https://api.pwnedpasswords.com'),
  /** Seconds to wait for the Pwned Passwords API. */
  PASSWORD_PWNED_TIMEOUT: setting(decimal({ min: 0.1, max: 30 }), 2),
  /** When the Pwned Passwords API fails: refuse the new password with a 503 (true) or accept it (false). */
  PASSWORD_PWNED_FAIL_CLOSED: setting(boolean, false),
  /** A password seen in at least this many breaches is refused. */
  PASSWORD_PWNED_MIN_COUNT: setting(integer({ min: 1, max: 1_000_000_000 }), 1),
  /**
   * Where the account flows' mail goes: `outbox` (development only), `postmark`
   * or `cloudflare`. Default: `outbox` in development, none in production
   * (the flows that send mail then answer 503).
   */
  EMAIL_BACKEND: setting<EmailBackendName | undefined>(oneOf(EMAIL_BACKENDS)),
  /** Django: the sender of every mail; required by `postmark` and `cloudflare`. */
  DEFAULT_FROM_EMAIL: setting<string | undefined>(fromAddress),
  /** The Postmark server token (a secret: `wrangler secret put EMAIL_API_KEY`). */
  EMAIL_API_KEY: setting<string | undefined>(text()),
  /** The mail API's endpoint (Postmark's by default; tests point it at a fake). */
  EMAIL_API_URL: setting(httpsUrl, POSTMARK_EMAIL_URL),
  /** Seconds to wait for the mail API (Django's `EMAIL_TIMEOUT`). */
  EMAIL_TIMEOUT: setting(decimal({ min: 0.1, max: 30 }), 10),
  /** Largest request body accepted, in bytes; larger is a 413. */
  DATA_UPLOAD_MAX_MEMORY_SIZE: setting(integer({ min: 1024, max: 10_485_760 }), 65_536),
  /** simplejwt: lifetime of access tokens. */
  ACCESS_TOKEN_LIFETIME: setting(duration({ min: 10, max: DAY }), 300),
  /** simplejwt: lifetime of each refresh token. */
  REFRESH_TOKEN_LIFETIME: setting(duration({ min: 60, max: 365 * DAY }), DAY),
  /** Absolute lifetime of a login: rotation never extends a refresh family past this. */
  REFRESH_FAMILY_MAX_LIFETIME: setting(duration({ min: 60, max: 3650 * DAY }), 30 * DAY),
  /** simplejwt: `/refresh/` answers a new refresh token too. */
  ROTATE_REFRESH_TOKENS: setting(boolean, true),
  /** simplejwt: a rotated refresh token is dead; presenting it again revokes its whole family. */
  BLACKLIST_AFTER_ROTATION: setting(boolean, true),
  /** How long the refresh token just rotated may be presented again (a client retrying a lost answer). */
  REFRESH_TOKEN_REUSE_GRACE: setting(duration({ min: 0, max: 300 }), 10),
  /** simplejwt: record `last_login` when a token pair is obtained. */
  UPDATE_LAST_LOGIN: setting(boolean, true),
  /** simplejwt: the signing algorithm. */
  ALGORITHM: setting<JwtAlgorithm>(oneOf(JWT_ALGORITHMS), 'HS256'),
  /** The signing key: an HMAC secret (default: `SECRET_KEY`), or a private key as PEM (PKCS#8) or JWK. */
  SIGNING_KEY: setting<KeyMaterial | undefined>(signingKey),
  /** `kid` of the signing key; default: the RFC 7638 thumbprint (asymmetric) or a digest (HMAC). */
  SIGNING_KEY_ID: setting<string | undefined>(headerToken()),
  /** Older keys that still verify: a JSON array of keys or `{"key", "alg", "kid"}` objects. */
  VERIFYING_KEYS: setting<readonly VerifyingKey[]>(verifyingKeys, []),
  /** simplejwt: `aud` claim set and required when given. */
  AUDIENCE: setting<string | undefined>(text()),
  /** simplejwt: `iss` claim set and required when given. */
  ISSUER: setting<string | undefined>(text()),
  /** simplejwt: clock leeway when checking `exp`, `nbf` and `iat`, in seconds. */
  LEEWAY: setting(duration({ min: 0, max: 300 }), 0),
  /** simplejwt: schemes accepted before the token (matched case-insensitively). */
  AUTH_HEADER_TYPES: setting<readonly string[]>(listOf(headerToken(), { unique: true }), [
    'Bearer',
  ]),
  /** simplejwt: the claim that carries the user id. */
  USER_ID_CLAIM: setting(headerToken(), 'user_id'),
  /** Cookie mode: name of the access-token cookie; empty turns cookie mode off. */
  JWT_AUTH_COOKIE: setting<string | undefined>(headerToken()),
  /** Cookie mode: name of the refresh-token cookie (scoped to the token routes). */
  JWT_AUTH_REFRESH_COOKIE: setting(headerToken(), 'refresh_token'),
  /** Cookie mode: `SameSite` of both cookies. */
  JWT_AUTH_SAMESITE: setting(oneOf(['Lax', 'Strict']), 'Lax'),
  /** DRF `TokenAuthentication.keyword`: the scheme before an opaque token (case-insensitive). */
  TOKEN_AUTH_KEYWORD: setting(headerToken(), 'Token'),
  /** Prefix of new opaque tokens (`eat_...`), so secret scanners can recognise them. */
  TOKEN_PREFIX: setting(tokenPrefix, 'eat'),
  /** Default lifetime of new opaque tokens; unset: they never expire (as DRF's). */
  TOKEN_TTL: setting<number | undefined>(duration({ min: 60, max: 3650 * DAY })),
  /** knox `AUTO_REFRESH`: each use extends a token's expiry by `TOKEN_TTL`. */
  TOKEN_AUTO_REFRESH: setting(boolean, false),
  /** knox `AUTO_REFRESH_MAX_TTL`: sliding expiry never goes past this age. */
  TOKEN_AUTO_REFRESH_MAX_TTL: setting(duration({ min: 60, max: 3650 * DAY }), 30 * DAY),
  /** knox `MIN_REFRESH_INTERVAL`: at most one `last_used` / expiry write per token per interval. */
  TOKEN_MIN_REFRESH_INTERVAL: setting(duration({ min: 1, max: DAY }), 60),
  /** knox `TOKEN_LIMIT_PER_USER`: live opaque tokens a user may hold. */
  TOKEN_LIMIT_PER_USER: setting(integer({ min: 1, max: 10_000 }), 25),
  /** Django: name of the session cookie. */
  SESSION_COOKIE_NAME: setting(headerToken(), 'sessionid'),
  /** Django: absolute lifetime of a session (and its cookie's `Max-Age`). */
  SESSION_COOKIE_AGE: setting(duration({ min: 60, max: 365 * DAY }), 14 * DAY),
  /** A session unused for this long ends (sliding). */
  SESSION_IDLE_TIMEOUT: setting(duration({ min: 60, max: 365 * DAY }), 12 * 3600),
  /** At most one "last seen" write per session per interval. */
  SESSION_TOUCH_INTERVAL: setting(duration({ min: 1, max: DAY }), 300),
  /** `SameSite` of the session cookie. */
  SESSION_COOKIE_SAMESITE: setting(oneOf(['Lax', 'Strict']), 'Lax'),
  /** Django: where anonymous browsers are sent to log in. */
  LOGIN_URL: setting(sitePath, '/api-auth/login/'),
  /** Django: where a login without `next` goes. */
  LOGIN_REDIRECT_URL: setting(sitePath, '/'),
  /** Django: where the HTML logout goes. */
  LOGOUT_REDIRECT_URL: setting(sitePath, '/'),
  /** Static-site folders that need a login, as `/folder/*` (`*`: everything below). */
  SITE_PROTECTED_PATHS: setting<readonly string[]>(listOf(folderPattern), ['/app/*']),
  /** Exceptions inside the protected paths that anyone may fetch. */
  SITE_PUBLIC_PATHS: setting<readonly string[]>(listOf(pathPattern), []),
  /** Name of the CSRF cookie. */
  CSRF_COOKIE_NAME: setting(headerToken(), 'csrftoken'),
  /** Header that carries the CSRF token. */
  CSRF_HEADER_NAME: setting(headerToken(), 'X-CSRFToken'),
  /** Origins besides the request's own that may send cookie-authenticated unsafe requests. */
  CSRF_TRUSTED_ORIGINS: setting<readonly string[]>(listOf(origin), []),
  /** `Secure` on the session, CSRF and JWT cookies (browsers accept it on http://localhost). */
  COOKIE_SECURE: setting(boolean, true),
  /** Django: `max-age` of `Strict-Transport-Security` on HTTPS responses; 0 sends none. */
  SECURE_HSTS_SECONDS: setting(duration({ min: 0, max: 2 * 365 * DAY }), 0),
  /** Django: `includeSubDomains` in the HSTS header. */
  SECURE_HSTS_INCLUDE_SUBDOMAINS: setting(boolean, false),
  /** Django: `preload` in the HSTS header (needs the two above, as hstspreload.org does). */
  SECURE_HSTS_PRELOAD: setting(boolean, false),
  /** Django: `Cross-Origin-Opener-Policy` on every response. */
  SECURE_CROSS_ORIGIN_OPENER_POLICY: setting(
    oneOf(['same-origin', 'same-origin-allow-popups', 'unsafe-none']),
    'same-origin',
  ),
  /** Path of DRF's `obtain_auth_token` view. */
  ROUTE_PREFIX_AUTHTOKEN: setting(routePrefix(), '/api-token-auth'),
  /** Prefix of the opaque-token management routes. */
  ROUTE_PREFIX_TOKENS: setting(routePrefix(), '/api/tokens'),
  /** Prefix of the HTML login and logout pages (DRF's browsable-API login). */
  ROUTE_PREFIX_LOGIN: setting(routePrefix(), '/api-auth'),
  /** Prefix of the simplejwt routes (obtain, refresh, verify, blacklist, logout). */
  ROUTE_PREFIX_JWT: setting(routePrefix(), '/api/token'),
  /** Prefix of register, login, logout, sessions and password routes. */
  ROUTE_PREFIX_AUTH: setting(routePrefix(), '/api/auth'),
  /** Path of the current-user route. */
  ROUTE_PREFIX_ME: setting(routePrefix(), '/api/me'),
  /** Path of the health check. */
  ROUTE_PREFIX_HEALTH: setting(routePrefix(), '/api/health'),
  /** Path of the OpenAPI document; its docs page is `docs/` under it. */
  ROUTE_PREFIX_SCHEMA: setting(routePrefix(), '/api/schema'),
  /** Prefix of the administration routes (`IsAdminUser`): `users/`, `users/{id}/`, ... */
  ROUTE_PREFIX_ADMIN: setting(routePrefix(), '/api/admin'),
  /** DRF's `PAGE_SIZE`: items per page of the paginated lists (`?page=`). */
  PAGE_SIZE: setting(integer({ min: 1, max: 1000 }), 50),
  // Password reset (dj-rest-auth's password/reset/ and Django's setting).
  /** Django: how long a password-reset link works (Django: 3 days; edgeauth: 1 hour). */
  PASSWORD_RESET_TIMEOUT: setting(duration({ min: 60, max: 7 * DAY }), 3600),
  /** Base of the link in the reset mail (`<url><uid>/<token>/`); default: the Worker's own page. */
  PASSWORD_RESET_URL: setting<string | undefined>(resetUrl),
} satisfies Record<string, Setting<unknown>>;

export type SettingName = keyof typeof SETTINGS;

/** Every setting, typed. Durations are whole seconds. */
export type AuthConfig = {
  readonly [K in SettingName]: (typeof SETTINGS)[K] extends Setting<infer T> ? T : never;
};

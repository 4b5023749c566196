/**
 * @module config/settings
 * Every setting edgeauth reads, with its parser and default. Names follow
 * DRF, Django and simplejwt where they have one. The README's settings table
 * documents each entry here (a test keeps the two in step).
 */
import { ConfigError, boolean, decimal, integer, listOf, oneOf, text, type Parser } from './parse';

/** Authentication classes that `DEFAULT_AUTHENTICATION_CLASSES` can name. */
export const AUTHENTICATION_CLASS_NAMES = ['BasicAuthentication'] as const;
export type AuthenticationClassName = (typeof AUTHENTICATION_CLASS_NAMES)[number];

/** Django's four password validators, by their Django names. */
export const PASSWORD_VALIDATOR_NAMES = [
  'UserAttributeSimilarityValidator',
  'MinimumLengthValidator',
  'CommonPasswordValidator',
  'NumericPasswordValidator',
] as const;
export type PasswordValidatorName = (typeof PASSWORD_VALIDATOR_NAMES)[number];

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
    ['BasicAuthentication'],
  ),
  /** Whether `POST <ROUTE_PREFIX_AUTH>/register/` creates accounts. */
  REGISTRATION_OPEN: setting(boolean, true),
  /** argon2id memory cost in KiB (OWASP: 19456 = 19 MiB). */
  PASSWORD_ARGON2_MEMORY_KIB: setting(integer({ min: 8, max: 65536 }), 19456),
  /** argon2id passes (OWASP: 2). */
  PASSWORD_ARGON2_ITERATIONS: setting(integer({ min: 1, max: 16 }), 2),
  /** argon2id lanes (OWASP: 1). */
  PASSWORD_ARGON2_PARALLELISM: setting(integer({ min: 1, max: 8 }), 1),
  /** Longest password accepted, in characters; longer ones are a 400, never hashed. */
  PASSWORD_MAX_LENGTH: setting(integer({ min: 16, max: 4096 }), 1024),
  /** Password validators run on registration and password changes. */
  AUTH_PASSWORD_VALIDATORS: setting<readonly PasswordValidatorName[]>(
    listOf(oneOf(PASSWORD_VALIDATOR_NAMES), { unique: true }),
    PASSWORD_VALIDATOR_NAMES,
  ),
  /** `MinimumLengthValidator`'s minimum. */
  PASSWORD_MIN_LENGTH: setting(integer({ min: 1, max: 128 }), 8),
  /** `UserAttributeSimilarityValidator`'s threshold (0.1 to 1). */
  PASSWORD_MAX_SIMILARITY: setting(decimal({ min: 0.1, max: 1 }), 0.7),
  /** Largest request body accepted, in bytes; larger is a 413. */
  DATA_UPLOAD_MAX_MEMORY_SIZE: setting(integer({ min: 1024, max: 10_485_760 }), 65_536),
  /** Prefix of register, login, logout, sessions and password routes. */
  ROUTE_PREFIX_AUTH: setting(routePrefix(), '/api/auth'),
  /** Path of the current-user route. */
  ROUTE_PREFIX_ME: setting(routePrefix(), '/api/me'),
  /** Path of the health check. */
  ROUTE_PREFIX_HEALTH: setting(routePrefix(), '/api/health'),
} satisfies Record<string, Setting<unknown>>;

export type SettingName = keyof typeof SETTINGS;

/** Settings that existed once; naming one is an error that says what to do instead. */
export const REMOVED_SETTINGS: Readonly<Record<string, string>> = {};

/** Every setting, typed. Durations are whole seconds. */
export type AuthConfig = {
  readonly [K in SettingName]: (typeof SETTINGS)[K] extends Setting<infer T> ? T : never;
};

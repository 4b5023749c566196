/**
 * @module config
 * `parseConfig(vars)`: the only reader of settings. It validates every
 * setting once, at start-up, and returns a frozen, typed object that is
 * passed down; nothing reads `env` for settings anywhere else. A bad setting
 * is a {@link ConfigError} that names it.
 *
 * @example
 * const config = parseConfig({ SECRET_KEY: '…32+ characters…', ACCESS_TOKEN_LIFETIME: '5m' });
 */
import { randomToken } from '../crypto/random';
import { isHmac } from './keys';
import { ConfigError, editDistance } from './parse';
import { SETTINGS, type AuthConfig, type EmailBackendName, type SettingName } from './settings';

export { ConfigError } from './parse';
export type { AuthConfig, SettingName } from './settings';
export { SETTINGS } from './settings';

/** Shortest `SECRET_KEY` accepted in production. */
export const MIN_SECRET_LENGTH = 32;

/** Values copied from examples that must never protect a deployment. */
const PLACEHOLDER_SECRETS = [/change.?me/i, /^secret$/i, /^x+$/i, /example/i, /insecure/i];

/** Names of bindings and vars that are not settings (so no "did you mean" for them). */
const NOT_SETTINGS = new Set(['DB', 'KV', 'ASSETS', 'EMAIL', 'TEST_MIGRATIONS']);

export interface ParseOptions {
  /** Where warnings go (development only). */
  warn?: (message: string) => void;
}

/**
 * The `ENVIRONMENT` setting alone, read even when another setting is invalid
 * (to decide how much a 503 may say); anything but a valid `development` is
 * production.
 */
export function environmentOf(
  vars: Record<string, unknown> | undefined,
): AuthConfig['ENVIRONMENT'] {
  try {
    const raw = vars?.ENVIRONMENT;
    return raw === undefined ? 'production' : SETTINGS.ENVIRONMENT.parse(raw, 'ENVIRONMENT');
  } catch {
    return 'production';
  }
}

/**
 * Validates `vars` (the Worker's `env`, or a plain object in tests) into an
 * {@link AuthConfig}. Throws {@link ConfigError} on the first bad setting.
 */
export function parseConfig(
  vars: Record<string, unknown>,
  options: ParseOptions = {},
): Readonly<AuthConfig> {
  rejectMisspelt(vars);
  const values: Record<string, unknown> = {};
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    const spec = SETTINGS[name];
    const raw = vars[name];
    if (raw === undefined || raw === null || raw === '') {
      values[name] = spec.default;
    } else {
      values[name] = (spec.parse as (raw: unknown, name: string) => unknown)(raw, name);
    }
  }
  const config = values as AuthConfig;
  const warn = options.warn ?? ((message: string) => console.warn(message));
  values.SECRET_KEY = checkSecret(config, warn);
  checkJwtKeys(config, warn);
  values.EMAIL_BACKEND = emailBackend(config);
  checkConsistency(config);
  return Object.freeze(values) as Readonly<AuthConfig>;
}

function rejectMisspelt(vars: Record<string, unknown>): void {
  const known = Object.keys(SETTINGS);
  for (const name of Object.keys(vars)) {
    if (name in SETTINGS || NOT_SETTINGS.has(name) || !/^[A-Z][A-Z0-9_]+$/.test(name)) continue;
    const near = known.find((candidate) => editDistance(name, candidate) <= 2);
    if (near) throw new ConfigError(name, `is not a setting; did you mean ${near}?`);
  }
}

function weakness(secret: string): string | undefined {
  if (secret.length < MIN_SECRET_LENGTH) {
    return `is shorter than ${MIN_SECRET_LENGTH} characters`;
  }
  if (new Set(secret).size < 10) return 'has too few distinct characters';
  if (PLACEHOLDER_SECRETS.some((pattern) => pattern.test(secret))) {
    return 'looks like a placeholder value';
  }
  return undefined;
}

function checkSecret(config: AuthConfig, warn: (message: string) => void): string {
  const secret = config.SECRET_KEY as string | undefined;
  const production = config.ENVIRONMENT === 'production';
  if (secret === undefined) {
    if (production) {
      throw new ConfigError(
        'SECRET_KEY',
        'is required; set it with `wrangler secret put SECRET_KEY`',
      );
    }
    warn('edgeauth: SECRET_KEY is not set; using a random key until this process restarts');
    return randomToken(48);
  }
  const problem = weakness(secret);
  if (problem !== undefined) {
    if (production) throw new ConfigError('SECRET_KEY', problem);
    warn(`edgeauth: SECRET_KEY ${problem}; this is refused when ENVIRONMENT is production`);
  }
  return secret;
}

/** An HMAC key must be a strong secret: never a PEM or JWK, which would be public material. */
function checkHmacKey(
  setting: string,
  key: unknown,
  config: AuthConfig,
  warn: (message: string) => void,
): void {
  if (typeof key !== 'string' || key.startsWith('-----BEGIN')) {
    throw new ConfigError(setting, 'an HMAC key must be a secret string, not a PEM or JWK');
  }
  const problem = weakness(key);
  if (problem === undefined) return;
  if (config.ENVIRONMENT === 'production') throw new ConfigError(setting, problem);
  warn(`edgeauth: ${setting} ${problem}; this is refused when ENVIRONMENT is production`);
}

function checkJwtKeys(config: AuthConfig, warn: (message: string) => void): void {
  if (!isHmac(config.ALGORITHM)) {
    const key = config.SIGNING_KEY;
    if (key === undefined || (typeof key === 'string' && !key.startsWith('-----BEGIN'))) {
      throw new ConfigError('SIGNING_KEY', `${config.ALGORITHM} needs a private key as PEM or JWK`);
    }
  } else if (config.SIGNING_KEY !== undefined) {
    checkHmacKey('SIGNING_KEY', config.SIGNING_KEY, config, warn);
  }
  for (const entry of config.VERIFYING_KEYS) {
    if (isHmac(entry.alg ?? config.ALGORITHM))
      checkHmacKey('VERIFYING_KEYS', entry.key, config, warn);
  }
}

/** hstspreload.org's shortest `max-age` for the preload list: one year. */
export const HSTS_PRELOAD_MIN_SECONDS = 31_536_000;

function checkConsistency(config: AuthConfig): void {
  if (
    config.SECURE_HSTS_PRELOAD &&
    (!config.SECURE_HSTS_INCLUDE_SUBDOMAINS ||
      config.SECURE_HSTS_SECONDS < HSTS_PRELOAD_MIN_SECONDS)
  ) {
    throw new ConfigError(
      'SECURE_HSTS_PRELOAD',
      `needs SECURE_HSTS_INCLUDE_SUBDOMAINS and SECURE_HSTS_SECONDS of at least ${HSTS_PRELOAD_MIN_SECONDS}, as the preload list does`,
    );
  }
  if (config.REFRESH_FAMILY_MAX_LIFETIME < config.REFRESH_TOKEN_LIFETIME) {
    throw new ConfigError('REFRESH_FAMILY_MAX_LIFETIME', 'must be at least REFRESH_TOKEN_LIFETIME');
  }
  if (config.PASSWORD_ARGON2_MEMORY_KIB < 8 * config.PASSWORD_ARGON2_PARALLELISM) {
    throw new ConfigError(
      'PASSWORD_ARGON2_MEMORY_KIB',
      'must be at least 8 KiB per lane of PASSWORD_ARGON2_PARALLELISM',
    );
  }
}

/**
 * The mail backend: `EMAIL_BACKEND`, or the outbox in development and none in
 * production. Production never keeps mail in KV, where nothing reads it (the
 * outbox route exists only in development); a backend that sends needs its
 * sender and, for Postmark, its key. The errors name the missing setting,
 * never a value.
 */
function emailBackend(config: AuthConfig): EmailBackendName | undefined {
  const development = config.ENVIRONMENT === 'development';
  const backend = config.EMAIL_BACKEND ?? (development ? 'outbox' : undefined);
  if (backend === 'outbox' && !development) {
    throw new ConfigError(
      'EMAIL_BACKEND',
      'outbox keeps mail in KV, readable only at the development route /api/dev/outbox/; production needs postmark or cloudflare',
    );
  }
  if (backend === 'postmark' && config.EMAIL_API_KEY === undefined) {
    throw new ConfigError(
      'EMAIL_API_KEY',
      'is required with EMAIL_BACKEND=postmark; set it with `wrangler secret put EMAIL_API_KEY`',
    );
  }
  if ((backend === 'postmark' || backend === 'cloudflare') && !config.DEFAULT_FROM_EMAIL) {
    throw new ConfigError(
      'DEFAULT_FROM_EMAIL',
      `is required with EMAIL_BACKEND=${backend}: the address the mail is sent from`,
    );
  }
  return backend;
}

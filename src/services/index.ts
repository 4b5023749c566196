/**
 * @module services
 * `createServices(config, stores, clock)`: every use case of edgeauth as
 * plain objects, built once per configuration. Routes and authentication
 * classes call these and never the stores; services return domain results
 * or throw domain errors, and the HTTP layer turns them into DRF's answers.
 */
import type { AuthConfig } from '../config';
import { wasmArgon2id } from '../crypto/argon2id';
import { createJwtCodec, type JwtCodec } from '../crypto/jwt';
import { createPasswordHasher, type PasswordHasher } from '../crypto/password';
import type { Stores } from '../storage/types';
import type { Mailer } from '../mail/types';
import { createApiTokenService } from './api-tokens';
import { createAuditService } from './audit';
import { systemClock, type Clock, type ServiceContext } from './context';
import { createHealthService } from './health';
import { createJwtService } from './jwt';
import { codecSettings } from './jwt-claims';
import { DEFAULT_LOGIN_HOOKS, createLoginService, type LoginHooks } from './login';
import { createMailService, outboxMailer } from './mail';
import { createPasswordResetService } from './password-reset';
import { createRevocationService } from './revocation';
import { createSessionService } from './sessions';
import { createUserService } from './users';

export { systemClock, type Clock } from './context';

export interface ServiceOptions {
  /** Replaces the password hasher built from the `PASSWORD_ARGON2_*` settings. */
  hasher?: PasswordHasher;
  /** Steps added to the login pipeline, by hook (after the built-in ones). */
  loginHooks?: Partial<LoginHooks>;
  /**
   * Replaces the mail backend chosen from the settings (development: the
   * outbox; production: none unless configured).
   */
  mailer?: Mailer | null;
}

function withHooks(extra: Partial<LoginHooks> = {}): LoginHooks {
  const hooks = { ...DEFAULT_LOGIN_HOOKS };
  for (const name of Object.keys(extra) as (keyof LoginHooks)[]) {
    hooks[name] = [...DEFAULT_LOGIN_HOOKS[name], ...(extra[name] ?? [])] as never;
  }
  return hooks;
}

function passwordHasher(config: Readonly<AuthConfig>): PasswordHasher {
  const params = {
    memoryKiB: config.PASSWORD_ARGON2_MEMORY_KIB,
    iterations: config.PASSWORD_ARGON2_ITERATIONS,
    parallelism: config.PASSWORD_ARGON2_PARALLELISM,
  };
  return createPasswordHasher(params, wasmArgon2id);
}

/**
 * @example
 * const services = createServices(parseConfig(env), cloudflareStores(env));
 * await services.revocation.deactivateUser(42);
 */
export function createServices(
  config: Readonly<AuthConfig>,
  stores: Stores,
  clock: Clock = systemClock,
  options: ServiceOptions = {},
) {
  const codec: JwtCodec = createJwtCodec(codecSettings(config));
  const hasher = options.hasher ?? passwordHasher(config);
  const ctx: ServiceContext = { config, stores, hasher, codec, clock };
  const audit = createAuditService(ctx);
  const defaultMailer =
    config.ENVIRONMENT === 'development' ? outboxMailer(stores.outbox, () => clock.now()) : null;
  const mailer = options.mailer === undefined ? defaultMailer : options.mailer;
  const mail = createMailService(ctx, mailer, audit);
  const revocation = createRevocationService(ctx);
  return {
    config,
    users: createUserService(ctx),
    login: createLoginService(ctx, withHooks(options.loginHooks)),
    jwt: createJwtService(ctx),
    apiTokens: createApiTokenService(ctx),
    sessions: createSessionService(ctx),
    revocation,
    health: createHealthService(ctx),
    audit,
    mail,
    passwordReset: createPasswordResetService(ctx, mail, audit, revocation),
    /** The public keys that verify this deployment's JWTs. */
    jwks: () => codec.jwks(),
  };
}

export type Services = ReturnType<typeof createServices>;

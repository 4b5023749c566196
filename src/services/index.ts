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
import { createAccountService } from './account-deletion';
import { createAdminService } from './admin';
import { createApiTokenService } from './api-tokens';
import { createAuditService } from './audit';
import { createEmailService } from './emails';
import { systemClock, type Clock, type ServiceContext } from './context';
import { createHealthService } from './health';
import { createJwtService } from './jwt';
import { codecSettings } from './jwt-claims';
import { builtInLoginHooks, createLoginService, type LoginHooks } from './login';
import { createMailService, mailerFromSettings } from './mail';
import { createPasswordResetService } from './password-reset';
import { createPasswordService } from './passwords';
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
   * Replaces the mail backend chosen from the settings (`EMAIL_BACKEND`;
   * development: the outbox; production: none unless configured).
   */
  mailer?: Mailer | null;
  /** The Worker's `send_email` binding `EMAIL`, for `EMAIL_BACKEND=cloudflare`. */
  sendEmail?: SendEmail;
}

function withHooks(config: Readonly<AuthConfig>, extra: Partial<LoginHooks> = {}): LoginHooks {
  const builtIn = builtInLoginHooks(config);
  const hooks = { ...builtIn };
  for (const name of Object.keys(extra) as (keyof LoginHooks)[]) {
    hooks[name] = [...builtIn[name], ...(extra[name] ?? [])] as never;
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
  const mailer =
    options.mailer === undefined ? mailerFromSettings(ctx, options.sendEmail) : options.mailer;
  const revocation = createRevocationService(ctx);
  const mail = createMailService(ctx, mailer, audit);
  const emails = createEmailService(ctx, mail, audit);
  const users = createUserService(ctx, emails);
  return {
    config,
    users,
    emails,
    login: createLoginService(ctx, withHooks(config, options.loginHooks)),
    jwt: createJwtService(ctx),
    apiTokens: createApiTokenService(ctx),
    sessions: createSessionService(ctx),
    revocation,
    health: createHealthService(ctx),
    audit,
    mail,
    admin: createAdminService(ctx, { users, revocation, mail }),
    passwordReset: createPasswordResetService(ctx, mail, audit, revocation),
    /** The public keys that verify this deployment's JWTs. */
    jwks: () => codec.jwks(),
    // Password change and account deletion (issue 12).
    passwords: createPasswordService(ctx),
    accounts: createAccountService(ctx),
  };
}

export type Services = ReturnType<typeof createServices>;

/**
 * @module services/login
 * Every way to log in is this one pipeline: JWT obtain, DRF's
 * `/api-token-auth/`, the JSON session login, the HTML login form, and Basic
 * authentication (which issues nothing). A new login method or policy step
 * is a change to this file.
 *
 * 1. **Before the password check**, the `throttle` then `lockout` hooks may
 *    refuse; a refused attempt costs no hash. A password over
 *    `PASSWORD_MAX_LENGTH` is refused here too, unhashed.
 * 2. **The credential check** costs one argon2id hash whatever the outcome:
 *    an unknown username burns one, and an inactive account is refused only
 *    after its hash, by the built-in `accountState` step, with the same
 *    answer as a wrong password.
 * 3. **After the check**, the `accountState`, `emailVerification` and `mfa`
 *    hooks may refuse a correct password (built in: an inactive account, and
 *    an unverified address under `ACCOUNT_EMAIL_VERIFICATION=mandatory`);
 *    then a hash made with older parameters is replaced.
 * 4. **Then** the credential the caller asked for is issued, and the
 *    account's pending password-reset links are deleted. The `audit`
 *    hooks see every outcome, accepted or refused.
 *
 * The clock is read once, and every step gets that `now`.
 */
import type { AuthConfig } from '../config';
import type { User } from '../storage/types';
import type { ServiceContext } from './context';
import { createApiToken } from './api-tokens';
import { startFamily, type TokenPair } from './jwt-families';
import { startSession, type ClientDetails } from './sessions';

/** The way a login came in. */
export type LoginChannel = 'jwt' | 'api-token-auth' | 'session' | 'login-page' | 'basic';

export interface LoginAttempt {
  channel: LoginChannel;
  username: string;
  /** Exactly as sent: never trimmed, never normalised. */
  password: string;
  client: ClientDetails;
}

/**
 * Why a login was refused. `invalid_credentials` is the one answer for an
 * unknown user, a wrong password and an inactive account.
 * `email_not_verified` (allauth's mandatory verification) comes only after a
 * correct password, so it tells nothing to someone who lacks it.
 */
export type LoginRefusal = { reason: 'invalid_credentials' } | { reason: 'email_not_verified' };

/** dj-rest-auth's text for `email_not_verified`, which every channel answers. */
export const EMAIL_NOT_VERIFIED = 'E-mail is not verified.';

type Verdict = LoginRefusal | undefined;

/** A step before the password check: may refuse, and then no hash is spent. */
export interface BeforeCheckHook {
  readonly name: string;
  run(attempt: LoginAttempt, now: number): Verdict | Promise<Verdict>;
}

/** A step after a correct password: may refuse the login. */
export interface AfterCheckHook {
  readonly name: string;
  run(attempt: LoginAttempt, user: User, now: number): Verdict | Promise<Verdict>;
}

/** Sees every outcome; never refuses. */
export interface OutcomeHook {
  readonly name: string;
  run(attempt: LoginAttempt, outcome: LoginOutcome, now: number): void | Promise<void>;
}

export interface LoginOutcome {
  /** The account the attempt named, when its password was correct. */
  user: User | null;
  refusal?: LoginRefusal;
}

/** The named places later features plug into, in the order they run. */
export interface LoginHooks {
  throttle: readonly BeforeCheckHook[];
  lockout: readonly BeforeCheckHook[];
  accountState: readonly AfterCheckHook[];
  emailVerification: readonly AfterCheckHook[];
  mfa: readonly AfterCheckHook[];
  audit: readonly OutcomeHook[];
}

/** Django's `is_active`: an inactive account cannot log in, and is not told so. */
const activeAccount: AfterCheckHook = {
  name: 'active account',
  run: (_attempt, user) => (user.isActive ? undefined : { reason: 'invalid_credentials' }),
};

export const DEFAULT_LOGIN_HOOKS: LoginHooks = {
  throttle: [],
  lockout: [],
  accountState: [activeAccount],
  emailVerification: [],
  mfa: [],
  audit: [],
};

/**
 * allauth's `ACCOUNT_EMAIL_VERIFICATION = "mandatory"`: no login until the
 * account's address was confirmed. Credentials already issued are not
 * touched; like allauth, this gates logging in only.
 */
const verifiedEmail: AfterCheckHook = {
  name: 'verified email',
  run: (_attempt, user) => (user.emailVerified ? undefined : { reason: 'email_not_verified' }),
};

/** The built-in steps for these settings: {@link DEFAULT_LOGIN_HOOKS}, plus verification when mandatory. */
export function builtInLoginHooks(config: Readonly<AuthConfig>): LoginHooks {
  const mandatory = config.ACCOUNT_EMAIL_VERIFICATION === 'mandatory';
  return { ...DEFAULT_LOGIN_HOOKS, emailVerification: mandatory ? [verifiedEmail] : [] };
}

/** What a login issues, by the kind the caller asks for. */
export interface Issued {
  jwt: TokenPair;
  'api-token': { token: string };
  session: { sessionId: string; publicId: string };
  /** Basic authentication: the request itself is authenticated, nothing is issued. */
  none: Record<string, never>;
}

export type IssueRequest =
  | { kind: 'jwt' }
  | { kind: 'api-token' }
  /** `previousSession`: the session cookie the browser already has, which ends (no fixation). */
  | { kind: 'session'; previousSession?: string | undefined }
  | { kind: 'none' };

export type LoginResult<K extends keyof Issued> =
  { ok: true; user: User; issued: Issued[K] } | { ok: false; refusal: LoginRefusal };

const INVALID: LoginRefusal = { reason: 'invalid_credentials' };

async function firstRefusal<A extends unknown[]>(
  hooks: readonly { run(...args: A): Verdict | Promise<Verdict> }[],
  ...args: A
): Promise<Verdict> {
  for (const hook of hooks) {
    const refusal = await hook.run(...args);
    if (refusal) return refusal;
  }
  return undefined;
}

/** Steps 1 to 3: the account, once every step has let it through. */
async function check(ctx: ServiceContext, hooks: LoginHooks, attempt: LoginAttempt, now: number) {
  const { stores, hasher, config } = ctx;
  const early =
    (await firstRefusal(hooks.throttle, attempt, now)) ??
    (await firstRefusal(hooks.lockout, attempt, now));
  if (early) return { user: null, refusal: early };
  if ([...attempt.password].length > config.PASSWORD_MAX_LENGTH) {
    return { user: null, refusal: INVALID };
  }
  const user = await stores.users.findByUsername(attempt.username);
  if (!user) {
    await hasher.burn(attempt.password);
    return { user: null, refusal: INVALID };
  }
  const { valid, needsRehash } = await hasher.verify(attempt.password, user.passwordHash);
  if (!valid) return { user: null, refusal: INVALID };
  const refusal =
    (await firstRefusal(hooks.accountState, attempt, user, now)) ??
    (await firstRefusal(hooks.emailVerification, attempt, user, now)) ??
    (await firstRefusal(hooks.mfa, attempt, user, now));
  if (refusal) return { user, refusal };
  if (needsRehash) {
    const passwordHash = await hasher.hash(attempt.password);
    await stores.users.replacePasswordHash(user.id, passwordHash);
    // The account as stored now: a password change compares against this hash.
    return { user: { ...user, passwordHash } };
  }
  return { user };
}

/**
 * Step 4: the credential, and the account's pending password-reset links
 * deleted: a login proves the password is known, so a link still waiting in
 * a mailbox must stop working (Django's reset token covers `last_login` for
 * this reason, but not every channel records it: Basic and, with
 * `UPDATE_LAST_LOGIN` off, JWT obtain do not). Every write happens here,
 * before the caller answers.
 */
async function issue(
  ctx: ServiceContext,
  client: ClientDetails,
  request: IssueRequest,
  user: User,
  now: number,
): Promise<Issued[keyof Issued]> {
  const [issued] = await Promise.all([
    credential(ctx, client, request, user, now),
    ctx.stores.passwordResets.deleteForUser(user.id),
  ]);
  return issued;
}

/** The credential alone. */
async function credential(
  ctx: ServiceContext,
  client: ClientDetails,
  request: IssueRequest,
  user: User,
  now: number,
): Promise<Issued[keyof Issued]> {
  const { config, stores } = ctx;
  switch (request.kind) {
    case 'jwt': {
      const pair = await startFamily(ctx, user, now);
      if (config.UPDATE_LAST_LOGIN) await stores.users.recordLogin(user.id, now);
      return pair;
    }
    case 'api-token': {
      const origin = { name: 'api-token-auth', via: 'api-token-auth' as const };
      const { token } = await createApiToken(ctx, user, origin, now);
      return { token };
    }
    case 'session': {
      const session = await startSession(ctx, user, client, request.previousSession, now);
      // Django's login() always records it.
      await stores.users.recordLogin(user.id, now);
      return session;
    }
    case 'none':
      return {};
  }
}

/**
 * Step 4 alone, for a use case that checked the password itself: a password
 * change carrying on the request's login issues the new login here, at its
 * own `now`.
 */
export function issueCredential<K extends keyof Issued>(
  ctx: ServiceContext,
  client: ClientDetails,
  request: Extract<IssueRequest, { kind: K }>,
  user: User,
  now: number,
): Promise<Issued[K]> {
  return issue(ctx, client, request, user, now) as Promise<Issued[K]>;
}

export function createLoginService(ctx: ServiceContext, hooks: LoginHooks = DEFAULT_LOGIN_HOOKS) {
  return {
    /**
     * Runs the pipeline for `attempt` and, when it succeeds, issues what
     * `request` asks for.
     *
     * @example
     * const result = await services.login.logIn(attempt, { kind: 'jwt' });
     * if (!result.ok) throw noActiveAccount();
     * return c.json(result.issued);
     */
    async logIn<K extends keyof Issued>(
      attempt: LoginAttempt,
      request: Extract<IssueRequest, { kind: K }>,
    ): Promise<LoginResult<K>> {
      const now = ctx.clock.now();
      const outcome: LoginOutcome = await check(ctx, hooks, attempt, now);
      let result: LoginResult<K>;
      if (outcome.refusal || !outcome.user) {
        result = { ok: false, refusal: outcome.refusal ?? INVALID };
      } else {
        const issued = (await issue(ctx, attempt.client, request, outcome.user, now)) as Issued[K];
        result = { ok: true, user: outcome.user, issued };
      }
      for (const hook of hooks.audit) await hook.run(attempt, outcome, now);
      return result;
    },
  };
}

export type LoginService = ReturnType<typeof createLoginService>;

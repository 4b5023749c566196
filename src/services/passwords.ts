/**
 * @module services/passwords
 * Changing the signed-in account's password: dj-rest-auth's
 * `password/change/` with `OLD_PASSWORD_FIELD_ENABLED`, whose form is
 * Django's `SetPasswordForm` (texts and field names included). No Hono here.
 *
 * The old password is checked first, with one constant-time hash
 * (`hasher.verify`); a wrong one is the only error reported, as DRF reports
 * a field validator's error without running `validate()`. Then the two new
 * passwords must match and pass the validators (with the account's username
 * and email as context), both under `new_password2` as Django puts them.
 *
 * On success, in this order and at one `now`:
 * 1. the new hash and the revoked-before moment, in one conditional D1
 *    statement (a concurrent change from the same password wins once, and
 *    logins with the old password stop at once);
 * 2. every credential the user holds is revoked (`revokeAll`), and pending
 *    password-reset tokens are deleted;
 * 3. the credential the request came with is issued again (Django's
 *    `update_session_auth_hash`): a new session, a new JWT login, or a new
 *    opaque token in place of the one used. The revocation checks refuse
 *    what was issued strictly before `now`, so what is issued at `now`
 *    lives and everything older dies.
 *
 * A storage failure at step 1 changes nothing; after it, the password is
 * changed even though the request answers 503 (never "saved").
 */
import { ValidationError } from '../errors';
import type { ApiToken, User } from '../storage/types';
import { checkNewPassword } from '../validation/new-password';
import { createApiToken, type NewApiToken } from './api-tokens';
import type { ServiceContext } from './context';
import type { TokenPair } from './jwt-families';
import { issueCredential } from './login';
import { revokeAll } from './revocation';
import type { ClientDetails } from './sessions';

/** Django's `PasswordChangeForm` text, which dj-rest-auth's serializer repeats. */
export const WRONG_OLD_PASSWORD =
  'Your old password was entered incorrectly. Please enter it again.';

/** Django's `SetPasswordForm` text, with its typographic apostrophe (U+2019). */
export const PASSWORD_MISMATCH = 'The two password fields didn’t match.';

/** The credential a request authenticated with, which a password change renews. */
export type CarriedCredential =
  | { kind: 'jwt' }
  | { kind: 'token'; id: string }
  /** `cookie`: the session cookie the browser sent, which ends. */
  | { kind: 'session'; cookie: string | undefined }
  | { kind: 'basic' };

/** What the request carries on with. */
export type Renewed =
  | { kind: 'jwt'; pair: TokenPair }
  | { kind: 'token'; token: string }
  | { kind: 'session'; sessionId: string }
  /** Basic authentication sends the password every time: nothing to issue. */
  | { kind: 'basic' };

export interface PasswordChange {
  user: User;
  oldPassword: string;
  newPassword1: string;
  newPassword2: string;
  credential: CarriedCredential;
  client: ClientDetails;
}

/** Whether `password` is the account's own: one hash, compared in constant time. */
export async function isCurrentPassword(
  ctx: ServiceContext,
  user: User,
  password: string,
): Promise<boolean> {
  return (await ctx.hasher.verify(password, user.passwordHash)).valid;
}

/** `SetPasswordForm.clean_new_password2`: the two must match, then pass the validators. */
async function checkNewPasswords(ctx: ServiceContext, input: PasswordChange): Promise<void> {
  if (input.newPassword1 !== input.newPassword2) {
    throw new ValidationError({ new_password2: [PASSWORD_MISMATCH] });
  }
  const { username, email } = input.user;
  const problems = await checkNewPassword(input.newPassword2, { username, email }, ctx.config);
  if (problems.length > 0) throw new ValidationError({ new_password2: problems });
}

/**
 * How the opaque token in use is replaced: same name, no later expiry,
 * unscoped (a scoped token cannot change the password). Read before the
 * revocation deletes it.
 */
async function replacementOf(ctx: ServiceContext, id: string): Promise<ApiToken | null> {
  return (await ctx.stores.apiTokens.findWithUser({ id }))?.token ?? null;
}

function replacementOptions(old: ApiToken | null, now: number): NewApiToken {
  if (!old) return { name: 'api-token-auth', via: 'api-token-auth' };
  // Whole seconds, rounded down: the new token never outlives the old one.
  const lifetime =
    old.expiresAt === null ? undefined : Math.max(1, Math.floor((old.expiresAt - now) / 1000));
  const via = old.createdVia === 'api-token-auth' ? 'api-token-auth' : 'api';
  return { name: old.name, lifetime, scopes: null, via };
}

async function renew(
  ctx: ServiceContext,
  input: PasswordChange,
  oldToken: ApiToken | null,
  now: number,
): Promise<Renewed> {
  const { user, credential, client } = input;
  switch (credential.kind) {
    case 'jwt': {
      const pair = await issueCredential(ctx, client, { kind: 'jwt' }, user, now);
      return { kind: 'jwt', pair };
    }
    case 'token': {
      const { token } = await createApiToken(ctx, user, replacementOptions(oldToken, now), now);
      return { kind: 'token', token };
    }
    case 'session': {
      const request = { kind: 'session' as const, previousSession: credential.cookie };
      const { sessionId } = await issueCredential(ctx, client, request, user, now);
      return { kind: 'session', sessionId };
    }
    case 'basic':
      return { kind: 'basic' };
  }
}

async function change(ctx: ServiceContext, input: PasswordChange): Promise<Renewed> {
  const { stores } = ctx;
  const { user, credential } = input;
  if (!(await isCurrentPassword(ctx, user, input.oldPassword))) {
    throw new ValidationError({ old_password: [WRONG_OLD_PASSWORD] });
  }
  await checkNewPasswords(ctx, input);
  const hash = await ctx.hasher.hash(input.newPassword1);
  const oldToken = credential.kind === 'token' ? await replacementOf(ctx, credential.id) : null;
  const now = ctx.clock.now();
  const change = { from: user.passwordHash, to: hash, at: now };
  if (!(await stores.users.changePassword(user.id, change))) {
    // Changed by a concurrent request since it was checked: no longer the old password.
    throw new ValidationError({ old_password: [WRONG_OLD_PASSWORD] });
  }
  await revokeAll(ctx, user.id, 'password_change', now);
  await stores.passwordResets.deleteForUser(user.id);
  return renew(ctx, input, oldToken, now);
}

export function createPasswordService(ctx: ServiceContext) {
  return {
    /**
     * Changes the password, revokes every credential of the user and issues
     * the request's credential again. Throws `ValidationError` with
     * dj-rest-auth's field errors.
     *
     * @example
     * const renewed = await services.passwords.change({ user, oldPassword, newPassword1,
     *   newPassword2, credential: { kind: 'jwt' }, client });
     * if (renewed.kind === 'jwt') return c.json({ detail, ...renewed.pair });
     */
    change: (input: PasswordChange) => change(ctx, input),
  };
}

export type PasswordService = ReturnType<typeof createPasswordService>;

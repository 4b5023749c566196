/**
 * @module services/admin
 * The admin API's use cases: listing and reading accounts, changing
 * `is_active`, `is_staff` and `email`, revoking an account's credentials and
 * deleting it, under the rules of who may do what to whom. No Hono here; the
 * routes check `IsAdminUser` before calling, and record the events.
 *
 * The rules (the actor is a staff user):
 * - nobody removes their own staff flag, deactivates or deletes themselves
 *   here, so that no administrator locks themselves out by accident;
 * - only a superuser changes `is_staff`, or changes, deactivates, deletes or
 *   revokes the credentials of a staff or superuser account. Otherwise a
 *   staff user could take over a superuser by changing their email and then
 *   resetting their password.
 */
import { ApiError, ValidationError, permissionDenied } from '../errors';
import { composeMail } from '../mail/templates';
import type { Mail } from '../mail/types';
import type { AdminChanges, User } from '../storage/types';
import { EMAIL_INVALID, isValidEmail, normalizeEmail } from '../validation/username';
import type { ServiceContext } from './context';
import type { MailService } from './mail';
import type { RevocationService } from './revocation';
import type { UserService } from './users';

export const ADMIN_MESSAGES = {
  privileged:
    'Only a superuser can change, deactivate, delete or revoke the credentials of a staff or superuser account.',
  staffFlag: 'Only a superuser can change is_staff.',
  ownStaff: 'You cannot remove your own staff status.',
  ownDeactivation: 'You cannot deactivate your own account.',
  ownDeletion: 'You cannot delete your own account through the admin API.',
} as const;

/** The user as the admin API shows it (Django admin's fields; times in ISO 8601). */
export function adminUser(user: User) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    is_active: user.isActive,
    is_staff: user.isStaff,
    is_superuser: user.isSuperuser,
    date_joined: new Date(user.dateJoined).toISOString(),
    last_login: user.lastLogin === null ? null : new Date(user.lastLogin).toISOString(),
    email_verified: user.emailVerified,
  };
}

/** What an admin may do to an account: each has its own rules. */
export type AdminAction = 'read' | 'change' | 'revoke' | 'delete';

/** What a `PATCH` asks for; absent: unchanged. */
export interface AdminUserChanges {
  email?: string;
  isStaff?: boolean;
  isActive?: boolean;
}

export interface AdminUpdate {
  user: User;
  /** The fields that changed, by their API names. */
  changed: string[];
  /** The account was active and is not any more. */
  deactivated: boolean;
  /** The mail for the old address when the email changed (none when it was blank). */
  notice: Mail | null;
}

/**
 * DRF's `SearchFilter.get_search_terms`: NULs dropped, commas as spaces,
 * split on whitespace (Python's `str.split()`, which also splits on U+001C
 * to U+001F and U+0085).
 */
export function searchTerms(raw: string): string[] {
  return (
    raw
      .replace(/\0/g, '')
      .replace(/,/g, ' ')
      // eslint-disable-next-line no-control-regex -- Python's str.split() splits on these too
      .split(/[\s\x1c-\x1f\x85]+/u)
      .filter((term) => term !== '')
  );
}

function notFound(): ApiError {
  return new ApiError('not_found', 'Not found.');
}

function isPrivileged(user: User): boolean {
  return user.isStaff || user.isSuperuser;
}

/** The refusals that depend on the account alone, as DRF's object permissions do. */
function checkTarget(actor: User, target: User, action: AdminAction): void {
  if (action === 'read') return;
  if (action === 'delete' && actor.id === target.id)
    throw permissionDenied(ADMIN_MESSAGES.ownDeletion);
  if (!actor.isSuperuser && isPrivileged(target)) throw permissionDenied(ADMIN_MESSAGES.privileged);
}

/** The refusals that depend on what a change asks for. */
function checkChanges(actor: User, target: User, changes: AdminUserChanges): void {
  if (actor.id === target.id) {
    if (changes.isStaff === false) throw permissionDenied(ADMIN_MESSAGES.ownStaff);
    if (changes.isActive === false) throw permissionDenied(ADMIN_MESSAGES.ownDeactivation);
  }
  const staffChanges = changes.isStaff !== undefined && changes.isStaff !== target.isStaff;
  if (staffChanges && !actor.isSuperuser) throw permissionDenied(ADMIN_MESSAGES.staffFlag);
}

/** The new email, normalised as registration does; undefined when it does not change. */
function newEmail(target: User, email: string | undefined): string | undefined {
  if (email === undefined) return undefined;
  if (email !== '' && !isValidEmail(email)) throw new ValidationError({ email: [EMAIL_INVALID] });
  const normalised = email === '' ? '' : normalizeEmail(email);
  return normalised === target.email ? undefined : normalised;
}

function emailNotice(ctx: ServiceContext, user: User, oldEmail: string): Mail {
  return composeMail({
    to: oldEmail,
    site: ctx.config.SITE_NAME,
    subject: 'Your email address was changed',
    paragraphs: [
      `An administrator changed the email address of your account "${user.username}" ` +
        `from ${oldEmail} to ${user.email === '' ? 'none' : user.email}.`,
      'Mail about your account no longer comes to this address.',
    ],
    footer: 'If you did not expect this, contact the administrators of this site.',
  });
}

interface Dependencies {
  users: UserService;
  revocation: RevocationService;
  mail: MailService;
}

/** What the store must write: only what differs from the account. */
function plan(target: User, changes: AdminUserChanges): AdminChanges {
  const write: AdminChanges = {};
  const email = newEmail(target, changes.email);
  if (email !== undefined) write.email = email;
  if (changes.isStaff !== undefined && changes.isStaff !== target.isStaff) {
    write.isStaff = changes.isStaff;
  }
  if (changes.isActive === true && !target.isActive) write.isActive = true;
  return write;
}

function changedFields(before: User, after: User): string[] {
  const fields: string[] = [];
  if (after.email !== before.email) fields.push('email');
  if (after.isStaff !== before.isStaff) fields.push('is_staff');
  if (after.isActive !== before.isActive) fields.push('is_active');
  return fields;
}

/** Applies a `PATCH` that passed the rules; see {@link createAdminService}. */
async function applyChanges(
  ctx: ServiceContext,
  deps: Dependencies,
  target: User,
  changes: AdminUserChanges,
): Promise<AdminUpdate> {
  const write = plan(target, changes);
  const notify = write.email !== undefined && target.email !== '';
  // A flow that sends mail refuses to start without a backend (never a silent drop).
  if (notify) deps.mail.require();
  let user = await ctx.stores.users.adminUpdate(target.id, write);
  if (!user) throw notFound();
  if (write.email !== undefined) {
    // Keys issued for the old address must not confirm or reset anything any more.
    await ctx.stores.passwordResets.deleteForUser(target.id);
    await ctx.stores.emailConfirmations.deleteForUser(target.id);
  }
  if (changes.isActive === false) {
    // Always through the revocation service, even when the flag is already off (set by hand
    // in D1, say): it is what ends the JWTs and sessions at once.
    await deps.revocation.deactivateUser(target.id);
    user = { ...user, isActive: false };
  }
  return {
    user,
    changed: changedFields(target, user),
    deactivated: target.isActive && !user.isActive,
    notice: notify ? emailNotice(ctx, user, target.email) : null,
  };
}

export function createAdminService(ctx: ServiceContext, deps: Dependencies) {
  return {
    /**
     * The users matching DRF search terms (`searchTerms`), by id, with the
     * total matching count.
     */
    list: (search: readonly string[], limit: number, offset: number) =>
      ctx.stores.users.list({ search, limit, offset }),

    count: (search: readonly string[]) => ctx.stores.users.count(search),

    /**
     * The account `id`, for `action` by `actor`: a 404 when it does not
     * exist, a 403 when the rules that depend on the account refuse.
     */
    async target(actor: User, id: number, action: AdminAction): Promise<User> {
      const target = await ctx.stores.users.findById(id);
      if (!target) throw notFound();
      checkTarget(actor, target, action);
      return target;
    },

    /**
     * Changes `email`, `is_staff` and `is_active` of `target` (from
     * `target()`), after the rules that depend on the change. Deactivation
     * revokes every credential (`deactivateUser`); reactivation only sets
     * the flag. A changed email voids the reset and confirmation keys of the
     * old one, counts as unverified, and yields the notice for the old
     * address (send it after the response).
     */
    async update(actor: User, target: User, changes: AdminUserChanges): Promise<AdminUpdate> {
      checkChanges(actor, target, changes);
      return applyChanges(ctx, deps, target, changes);
    },

    /** Revokes every credential of `target` (from `target()`). */
    revokeCredentials: (target: User) => deps.revocation.revokeAllCredentials(target.id, 'admin'),

    /** Deletes `target` (from `target()`), after revoking every credential it holds. */
    async delete(target: User): Promise<void> {
      if (!(await deps.users.deleteAccount(target.id))) throw notFound();
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;

/**
 * @module services/account-deletion
 * Deleting the signed-in account: `DELETE /api/me/` with the account's
 * password. No Hono here.
 *
 * The row is deleted, not anonymised (README, "Deleting an account"). Every
 * credential is revoked first, through the same `revokeAll` as "log out
 * everywhere": the revoked-before marker in KV is what refuses the access
 * tokens and sessions already issued, which are checked without reading D1.
 * Then the row goes, and with it (`ON DELETE CASCADE`) its refresh families,
 * opaque tokens, and reset and confirmation keys. Security events keep the
 * user id, which D1's `AUTOINCREMENT` never gives to another account.
 */
import { ValidationError } from '../errors';
import type { User } from '../storage/types';
import type { ServiceContext } from './context';
import { isCurrentPassword } from './passwords';
import { revokeAll } from './revocation';

/** In the words of Django's `PasswordChangeForm`, for the one password field of this route. */
export const WRONG_PASSWORD = 'Your password was entered incorrectly. Please enter it again.';

/**
 * Revokes everything the account holds, then deletes it (the user's own
 * deletion and the admin API's alike). A storage failure throws before the
 * row is gone, so a 503 never hides a deleted account; the credentials it
 * revoked stay revoked. Resolves false when there was no such account.
 */
export async function removeAccount(ctx: ServiceContext, userId: number): Promise<boolean> {
  await revokeAll(ctx, userId, 'account_deleted', ctx.clock.now());
  return ctx.stores.users.delete(userId);
}

export function createAccountService(ctx: ServiceContext) {
  return {
    /**
     * Deletes the account when `password` is its own (one hash, compared
     * in constant time); throws `ValidationError` on `password` otherwise.
     *
     * @example
     * await services.accounts.deleteOwn(user, password);
     * return c.body(null, 204);
     */
    async deleteOwn(user: User, password: string): Promise<void> {
      if (!(await isCurrentPassword(ctx, user, password))) {
        throw new ValidationError({ password: [WRONG_PASSWORD] });
      }
      await removeAccount(ctx, user.id);
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;

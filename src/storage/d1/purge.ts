/**
 * @module storage/d1/purge
 * Deletes rows nothing can use any more; run by the Worker's `scheduled()`
 * handler (a cron trigger in wrangler.toml), never on the request path.
 */
import { lt, or, sql } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import { guard } from '../guard';
import type { Purger } from '../types';
import { apiTokens, emailConfirmations, passwordResets, refreshFamilies } from './schema';

export function d1Purger(db: DrizzleD1Database): Purger {
  return {
    async purgeExpired(now) {
      const [tokens, families, resets, confirmations] = await guard('d1', () =>
        db.batch([
          db.delete(apiTokens).where(lt(apiTokens.expiresAt, now)).returning({ id: apiTokens.id }),
          // Every token of a family expires by its current token's exp (exps only grow), so a
          // family past it, or past its absolute end, can answer nothing but "expired".
          db
            .delete(refreshFamilies)
            .where(
              or(
                lt(refreshFamilies.expiresAt, now),
                lt(sql`${refreshFamilies.currentExp} * 1000`, now),
              ),
            )
            .returning({ id: refreshFamilies.id }),
          db
            .delete(passwordResets)
            .where(lt(passwordResets.expiresAt, now))
            .returning({ digest: passwordResets.digest }),
          db
            .delete(emailConfirmations)
            .where(lt(emailConfirmations.expiresAt, now))
            .returning({ digest: emailConfirmations.digest }),
        ]),
      );
      return {
        apiTokens: tokens.length,
        refreshFamilies: families.length,
        passwordResets: resets.length,
        emailConfirmations: confirmations.length,
      };
    },
  };
}

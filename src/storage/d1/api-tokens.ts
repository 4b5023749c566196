/**
 * @module storage/d1/api-tokens
 * `ApiTokenStore` on D1. Authentication reads a token and its owner in one
 * query; the per-user limit is enforced inside the INSERT itself.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import { guard, once } from '../guard';
import type { ApiToken, ApiTokenStore } from '../types';
import { toUser } from './users';
import { apiTokens as tokens, users, type ApiTokenRow } from './schema';

function toToken(row: ApiTokenRow): ApiToken {
  return { ...row, scopes: row.scopes === null ? null : (JSON.parse(row.scopes) as string[]) };
}

export function d1ApiTokenStore(db: DrizzleD1Database): ApiTokenStore {
  // Authentication's one query, prepared once on first use (see bench/RESULTS.md).
  const withUser = () => db.select().from(tokens).innerJoin(users, eq(users.id, tokens.userId));
  const byId = once(() =>
    withUser()
      .where(eq(tokens.id, sql.placeholder('id')))
      .prepare(),
  );
  const byDigest = once(() =>
    withUser()
      .where(eq(tokens.digest, sql.placeholder('digest')))
      .prepare(),
  );
  return {
    async createWithinLimit(token, limit, now) {
      const scopes = token.scopes === null ? null : JSON.stringify(token.scopes);
      const result = await guard('d1', () =>
        db.run(sql`insert into ${tokens} (id, digest, user_id, name, created_at, expires_at,
            last_used_at, scopes, created_via)
          select ${token.id}, ${token.digest}, ${token.userId}, ${token.name}, ${token.createdAt},
            ${token.expiresAt}, null, ${scopes}, ${token.createdVia}
          where (select count(*) from ${tokens} where ${tokens.userId} = ${token.userId}
            and (${tokens.expiresAt} is null or ${tokens.expiresAt} > ${now})) < ${limit}`),
      );
      return result.meta.changes === 1;
    },

    async findWithUser(by) {
      const row = await guard('d1', () =>
        'id' in by ? byId().get({ id: by.id }) : byDigest().get({ digest: by.digest }),
      );
      return row ? { token: toToken(row.api_tokens), user: toUser(row.users) } : null;
    },

    async listForUser(userId) {
      const rows = await guard('d1', () =>
        db
          .select()
          .from(tokens)
          .where(eq(tokens.userId, userId))
          .orderBy(asc(tokens.createdAt))
          .all(),
      );
      return rows.map(toToken);
    },

    async touch(id, lastUsedAt, expiresAt) {
      const values = expiresAt === undefined ? { lastUsedAt } : { lastUsedAt, expiresAt };
      await guard('d1', () => db.update(tokens).set(values).where(eq(tokens.id, id)).run());
    },

    async delete(userId, id) {
      const rows = await guard('d1', () =>
        db
          .delete(tokens)
          .where(and(eq(tokens.id, id), eq(tokens.userId, userId)))
          .returning({ id: tokens.id }),
      );
      return rows.length === 1;
    },

    async deleteAllForUser(userId) {
      const rows = await guard('d1', () =>
        db.delete(tokens).where(eq(tokens.userId, userId)).returning({ id: tokens.id }),
      );
      return rows.length;
    },

    async evictLeastRecentlyUsed(userId, createdVia) {
      const oldest = db
        .select({ id: tokens.id })
        .from(tokens)
        .where(and(eq(tokens.userId, userId), eq(tokens.createdVia, createdVia)))
        // Never-used tokens go first (oldest first), then the least recently used.
        .orderBy(
          sql`${tokens.lastUsedAt} is not null`,
          sql`coalesce(${tokens.lastUsedAt}, ${tokens.createdAt})`,
        )
        .limit(1);
      const rows = await guard('d1', () =>
        db
          .delete(tokens)
          .where(eq(tokens.id, sql`(${oldest})`))
          .returning({ id: tokens.id }),
      );
      return rows.length === 1;
    },
  };
}

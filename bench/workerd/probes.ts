/**
 * Probes that take apart the CPU cost of one authenticated request inside
 * the isolate, to say what dominates it: the D1 store methods through drizzle
 * with their answers from memory, on a store built for every call, so that
 * drizzle builds and prepares the query every time (what the stores did on
 * every request before they prepared their queries once; no I/O), the same
 * read as a raw prepared statement, drizzle's query building alone, the
 * query prepared once by drizzle with a placeholder (what the stores do now),
 * HS256 verification with the key as bytes (which jose imports on every
 * call, as src/crypto/jwt.ts did before) or as a `CryptoKey` imported once
 * (as it does now), and the authentication classes' `authenticate()` alone
 * (authenticators.ts).
 */
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { jwtVerify, SignJWT } from 'jose';
import type { Bindings } from '../../src/env';
import { d1ApiTokenStore } from '../../src/storage/d1/api-tokens';
import { apiTokens, users } from '../../src/storage/d1/schema';
import { d1UserStore } from '../../src/storage/d1/users';
import { authenticatorOperation } from './authenticators';
import { memoD1, type Memo } from './memo';

export interface ProbeParams {
  /** An existing opaque token's id and its owner's id. */
  tokenId?: string;
  userId?: number;
  /** `authenticate-*` probes: the Authorization header to authenticate. */
  authorization?: string;
}

const memo: Memo = { enabled: true, answers: new Map() };
const SECRET = new TextEncoder().encode('bench-probe-secret-0123456789-abcdefghijklmnopqrstuvwxyz');

async function hs256(kind: string): Promise<() => Promise<unknown>> {
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ token_type: 'access', user_id: 1, jti: 'x'.repeat(32) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(SECRET);
  const options = { algorithms: ['HS256'], requiredClaims: ['exp', 'iat', 'jti'] };
  if (kind === 'jose-hs256-bytes') return () => jwtVerify(token, SECRET, options);
  const key = await crypto.subtle.importKey(
    'raw',
    SECRET,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  return () => jwtVerify(token, key, options);
}

export async function probeOperation(
  kind: string,
  params: ProbeParams,
  env: Bindings,
): Promise<() => Promise<unknown>> {
  const tokenId = params.tokenId ?? '';
  const userId = params.userId ?? 0;
  const memoBinding = memoD1(env.DB, memo);
  const memoDb = drizzle(memoBinding);
  const operations: Record<string, () => Promise<unknown>> = {
    // A new store per call: its `once(...)` statements are built and prepared every time.
    'store-find-with-user': () => d1ApiTokenStore(memoDb).findWithUser({ id: tokenId }),
    'store-find-by-id': () => d1UserStore(memoDb).findById(userId),
    'raw-select-user': () =>
      memoBinding.prepare('select * from users where id = ?').bind(userId).raw(),
    'drizzle-build-find-with-user': async () =>
      drizzle(env.DB)
        .select()
        .from(apiTokens)
        .innerJoin(users, eq(users.id, apiTokens.userId))
        .where(eq(apiTokens.id, tokenId))
        .toSQL(),
  };
  if (kind === 'drizzle-prepared-find-with-user') {
    // The same query built once, with a placeholder: what the store now does.
    const prepared = memoDb
      .select()
      .from(apiTokens)
      .innerJoin(users, eq(users.id, apiTokens.userId))
      .where(eq(apiTokens.id, sql.placeholder('id')))
      .prepare();
    operations[kind] = () => prepared.get({ id: tokenId });
  }
  if (kind.startsWith('jose-')) return hs256(kind);
  if (kind === 'authenticate-jwt') {
    return authenticatorOperation('JWTAuthentication', params.authorization ?? '', env);
  }
  if (kind === 'authenticate-token') {
    return authenticatorOperation('TokenAuthentication', params.authorization ?? '', env);
  }
  const operation = operations[kind];
  if (!operation) throw new Error(`unknown probe ${kind}`);
  await operation();
  return operation;
}

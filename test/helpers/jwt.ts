/**
 * JWT helpers shared by the token tests: simplejwt's answers, the token
 * views called as a client calls them, the claims a test reads, tokens
 * minted "elsewhere" with the shared key, and the revocation services wired
 * to the real stores.
 */
import { env } from 'cloudflare:test';
import { SignJWT } from 'jose';
import { expect } from 'vitest';
import { parseConfig } from '../../src/config';
import { createServices } from '../../src/services';
import { cloudflareStores } from '../../src/storage/cloudflare';
import { BEARER, bearer, call, decodeParts, postJson, testVars, type App } from './index';

/** simplejwt's answer on JWTAuthentication for an access token refused with `message`. */
export function accessError(message: string) {
  return {
    detail: 'Given token not valid for any token type',
    code: 'token_not_valid',
    messages: [{ token_class: 'AccessToken', token_type: 'access', message }],
  };
}

export const ACCESS_BLACKLISTED = accessError('Token is blacklisted');
/** simplejwt's answer on refresh/ and blacklist/ for a blacklisted token. */
export const BLACKLISTED = { detail: 'Token is blacklisted', code: 'token_not_valid' };
/** simplejwt's answer on verify/ for a blacklisted token. */
export const VERIFY_BLACKLISTED = { non_field_errors: ['Token is blacklisted'] };

/** A 401 with simplejwt's `Bearer realm="api"` challenge and exactly this body. */
export async function expect401(res: Response, expected: unknown) {
  expect(res.status).toBe(401);
  expect(res.headers.get('WWW-Authenticate')).toBe(BEARER);
  expect(await res.json()).toEqual(expected);
}

export function refresh(app: App, token: string): Promise<Response> {
  return postJson(app, '/api/token/refresh/', { refresh: token });
}

export function verify(app: App, token: string): Promise<Response> {
  return postJson(app, '/api/token/verify/', { token });
}

export function logout(app: App, access: string): Promise<Response> {
  return call(app, '/api/token/logout/', { method: 'POST', headers: bearer(access) });
}

/** The login (refresh family) a token of edgeauth's belongs to. */
export function familyOf(token: string): string {
  return decodeParts(token).claims.fam as string;
}

export function jtiOf(token: string): string {
  return decodeParts(token).claims.jti as string;
}

const SECRET = new TextEncoder().encode(env.SECRET_KEY);

/**
 * A token as simplejwt mints it with the shared HS256 key (no `kid`, no
 * `fam`), issued now and living `lifetime` seconds (simplejwt's defaults).
 */
export async function simplejwtToken(
  kind: 'access' | 'refresh',
  userId: number,
  lifetime = kind === 'access' ? 300 : 86_400,
) {
  const iat = Math.floor(Date.now() / 1000);
  const jti = crypto.randomUUID().replace(/-/g, '');
  const token = await new SignJWT({
    token_type: kind,
    exp: iat + lifetime,
    iat,
    jti,
    user_id: userId,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(SECRET);
  return { token, jti, iat };
}

/** The services on the real stores (KV possibly recorded), with settings overrides, as admin code builds them. */
export function services(settings: Record<string, unknown> = {}, kv = env.KV) {
  return createServices(parseConfig(testVars(settings)), cloudflareStores({ ...env, KV: kv }));
}

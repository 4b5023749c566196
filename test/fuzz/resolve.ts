/**
 * @module fuzz/resolve
 * Turns a generated {@link FuzzCase} into a real request against the current
 * credential pool, and records what the request carried: the secrets that
 * must not come back, and whether it presented a pool credential (only such a
 * request may receive a protected file).
 */
import { env } from 'cloudflare:test';
import type { Body, ForgedJwt, FuzzCase, Part, Pool, PoolKey, Text } from './model';
import { fingerprint } from './model';

export const ORIGIN = 'http://localhost';

/** Pool values that authenticate a request when sent in a header or cookie. */
const CREDENTIAL_KEYS: ReadonlySet<PoolKey> = new Set([
  'access',
  'token',
  'scopedToken',
  'sessionId',
  'password',
]);

export interface ResolvedRequest {
  request: Request;
  /** Strings unique to a secret the request carried; none may appear in the answer. */
  secrets: string[];
  /** The request presented a pool credential in a header or cookie. */
  credentialed: boolean;
}

interface Context {
  pool: Pool;
  secrets: Set<string>;
  credentialKeys: Set<PoolKey>;
}

function encode(value: string, enc: 'raw' | 'json' | 'url'): string {
  if (enc === 'json') return JSON.stringify(value);
  if (enc === 'url') return encodeURIComponent(value);
  return value;
}

function base64Utf8(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function base64url(bytes: Uint8Array | string): string {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  let binary = '';
  for (const byte of data) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

let hmacKey: Promise<CryptoKey> | undefined;

/** Signs a JWT the way edgeauth's default configuration does (HS256, SECRET_KEY). */
async function forge(part: ForgedJwt, ctx: Context): Promise<string> {
  const { pool } = ctx;
  const now = Math.floor(Date.now() / 1000);
  const claims = { ...part.claims };
  for (const [name, value] of Object.entries(claims)) {
    if (value === '$userId') claims[name] = pool.userId;
    if (value === '$userId-as-text') claims[name] = String(pool.userId);
  }
  for (const name of part.relativeTimes) {
    if (typeof claims[name] === 'number') claims[name] = now + (claims[name] as number);
  }
  const input = `${base64url(JSON.stringify(part.header))}.${base64url(JSON.stringify(claims))}`;
  if (part.signature !== undefined) return `${input}.${part.signature}`;
  hmacKey ??= crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(env.SECRET_KEY),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const signature = await crypto.subtle.sign(
    'HMAC',
    await hmacKey,
    new TextEncoder().encode(input),
  );
  return `${input}.${base64url(new Uint8Array(signature))}`;
}

function poolValue(pool: Pool, key: PoolKey): string {
  if (key === 'secretKey') return env.SECRET_KEY;
  return String(pool[key]);
}

async function resolvePart(part: Part, ctx: Context): Promise<string> {
  if (typeof part === 'string') return part;
  if ('repeat' in part) return part.repeat.repeat(part.times);
  if ('basic' in part) {
    const before = ctx.secrets.size;
    const encoded = base64Utf8(await resolveText(part.basic, ctx));
    if (ctx.secrets.size > before) ctx.secrets.add(encoded);
    return encoded;
  }
  if ('secret' in part) {
    ctx.secrets.add(part.secret);
    return encode(part.secret, part.enc);
  }
  if ('forged' in part) {
    const token = await forge(part.forged, ctx);
    const signature = token.split('.')[2] ?? '';
    if (signature.length >= 16) ctx.secrets.add(signature);
    // Signed with the server's key: it may well authenticate, like a pool token.
    if (part.forged.signature === undefined) ctx.credentialKeys.add('access');
    return encode(token, part.enc);
  }
  const value = poolValue(ctx.pool, part.ref);
  const secret = fingerprint(part.ref, value);
  if (secret !== undefined) ctx.secrets.add(secret);
  ctx.credentialKeys.add(part.ref);
  return encode(value, part.enc);
}

export async function resolveText(text: Text, ctx: Context): Promise<string> {
  let out = '';
  for (const part of text) out += await resolvePart(part, ctx);
  return out;
}

function encodeBody(body: Extract<Body, { kind: 'text' }>, text: string): Uint8Array {
  const withBom = body.bom ? `\ufeff${text}` : text;
  if (body.charset === 'utf-16le') {
    const bytes = new Uint8Array(withBom.length * 2);
    for (let i = 0; i < withBom.length; i++) {
      bytes[2 * i] = withBom.charCodeAt(i) & 0xff;
      bytes[2 * i + 1] = withBom.charCodeAt(i) >> 8;
    }
    return bytes;
  }
  if (body.charset === 'latin1') {
    return Uint8Array.from(withBom, (char) => char.charCodeAt(0) & 0xff);
  }
  return new TextEncoder().encode(withBom);
}

async function resolveBody(body: Body | undefined, ctx: Context) {
  if (body === undefined) return undefined;
  if (body.kind === 'bytes') return body.bytes;
  return encodeBody(body, await resolveText(body.text, ctx));
}

/** Headers first: only credentials presented there authenticate a request. */
async function resolveHeaders(fuzzCase: FuzzCase, ctx: Context): Promise<Headers> {
  const headers = new Headers();
  for (const [name, value] of fuzzCase.headers) headers.append(name, await resolveText(value, ctx));
  return headers;
}

export async function resolveCase(fuzzCase: FuzzCase, pool: Pool): Promise<ResolvedRequest> {
  const ctx: Context = { pool, secrets: new Set(), credentialKeys: new Set() };
  const headers = await resolveHeaders(fuzzCase, ctx);
  // Basic credentials authenticate only where BasicAuthentication is a default class.
  const basic = fuzzCase.target === 'cookie-es256';
  const credentialed = [...ctx.credentialKeys].some(
    (key) => CREDENTIAL_KEYS.has(key) && (basic || key !== 'password'),
  );
  const path = await resolveText(fuzzCase.path, ctx);
  const body = await resolveBody(fuzzCase.body, ctx);
  const request = new Request(`${ORIGIN}${path}`, {
    method: fuzzCase.method,
    headers,
    body,
    redirect: 'manual',
  });
  return { request, secrets: [...ctx.secrets], credentialed };
}

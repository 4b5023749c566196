/**
 * The micro-benchmark operations `npm run bench` runs inside workerd: the
 * cryptography behind each authentication method, and whole requests served
 * inside the isolate (with the local D1/KV simulators, and with storage reads
 * answered from memory, which leaves the Worker's own CPU work).
 */
import { webcrypto } from 'node:crypto';
import type { MicroOp } from './runtime';

const RSA = { modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };

const KEY_ALGORITHMS: Record<string, RsaHashedKeyGenParams | EcKeyGenParams | Algorithm> = {
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
  EdDSA: { name: 'Ed25519' },
  PS256: { name: 'RSA-PSS', ...RSA },
  RS256: { name: 'RSASSA-PKCS1-v1_5', ...RSA },
};

/** A fresh private key for `algorithm`, as PKCS#8 PEM (the form SIGNING_KEY takes). */
export async function privateKeyPem(algorithm: string): Promise<string> {
  const params = KEY_ALGORITHMS[algorithm];
  if (!params) throw new Error(`no key generator for ${algorithm}`);
  const pair = (await webcrypto.subtle.generateKey(params, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', pair.privateKey));
  const lines = der
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n');
  return `-----BEGIN PRIVATE KEY-----\n${lines}\n-----END PRIVATE KEY-----\n`;
}

export const JWT_ALGORITHMS = ['HS256', 'ES256', 'EdDSA', 'PS256', 'RS256'];

/** The opaque token's id and the user's id (from the access token's claims). */
export function idsOf(credentials: Record<string, Record<string, string>>) {
  const tokenId = credentials.token!.Authorization!.split('_')[1]!;
  const payload = credentials.jwt!.Authorization!.split('.')[1]!;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { user_id: number };
  return { tokenId, userId: claims.user_id };
}

/** What dominates the cost of an authenticated request (see bench/workerd/probes.ts). */
export function probeOps(
  ids: { tokenId: string; userId: number },
  credentials: Record<string, Record<string, string>>,
): MicroOp[] {
  const probe = (label: string, kind: string, authorization?: string): MicroOp => ({
    label,
    op: `probe.${kind}`,
    params: { ...ids, ...(authorization ? { authorization } : {}) },
  });
  return [
    probe(
      'JWTAuthentication.authenticate() alone, KV from memory',
      'authenticate-jwt',
      credentials.jwt!.Authorization,
    ),
    probe(
      'TokenAuthentication.authenticate() alone, D1 from memory',
      'authenticate-token',
      credentials.token!.Authorization,
    ),
    probe(
      'D1 token+user read, query built on every call (as before), answer from memory',
      'store-find-with-user',
    ),
    probe('same query, drizzle building it only (toSQL)', 'drizzle-build-find-with-user'),
    probe(
      'same query prepared once by drizzle (as the store now does), answer from memory',
      'drizzle-prepared-find-with-user',
    ),
    probe(
      'D1 user read, query built on every call (as before), answer from memory',
      'store-find-by-id',
    ),
    probe('user read as a raw D1 statement, answer from memory', 'raw-select-user'),
    probe(
      'jose HS256 verify, key as bytes (imported on every call, as before)',
      'jose-hs256-bytes',
    ),
    probe(
      'jose HS256 verify, CryptoKey imported once (as src/crypto/jwt.ts now does)',
      'jose-hs256-cryptokey',
    ),
  ];
}

export async function cryptoOps(): Promise<MicroOp[]> {
  const ops: MicroOp[] = [
    {
      label: 'argon2id hash, WebAssembly as the app (OWASP: m=19456, t=2, p=1)',
      op: 'argon2id.hash',
      minIterations: 3,
    },
    { label: 'argon2id verify, WebAssembly (OWASP)', op: 'argon2id.verify', minIterations: 3 },
    {
      label: 'argon2id hash, pure JS @noble/hashes (OWASP)',
      op: 'argon2id.hash-noble',
      minIterations: 3,
    },
    {
      label: 'argon2id verify, pure JS @noble/hashes (OWASP)',
      op: 'argon2id.verify-noble',
      minIterations: 3,
    },
    { label: 'opaque token parse (regex + CRC-32)', op: 'opaque.parse' },
    { label: 'opaque token SHA-256 digest', op: 'opaque.digest' },
    { label: 'opaque token parse + digest + compare', op: 'opaque.parse+digest' },
    { label: 'opaque token generate', op: 'opaque.generate' },
    { label: 'JWT revocation KV keys (2 × SHA-256)', op: 'revocation-keys' },
  ];
  for (const alg of JWT_ALGORITHMS) {
    const key = alg === 'HS256' ? undefined : await privateKeyPem(alg);
    for (const kind of ['sign', 'verify']) {
      ops.push({ label: `JWT ${kind} ${alg}`, op: `jwt.${kind}`, alg, ...(key ? { key } : {}) });
    }
  }
  return ops;
}

export interface RequestCase {
  id: string;
  label: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  expect: number;
  /** Also served with storage reads from memory (only useful when the request reads storage). */
  memo: boolean;
  /** The target for this method, as a ratio to the baseline. */
  target?: number;
}

export function requestCases(credentials: Record<string, Record<string, string>>): RequestCase[] {
  const me = (
    id: string,
    name: string,
    headers: Record<string, string>,
    target: number,
  ): RequestCase[] => [
    {
      id,
      label: `GET /api/me/ ${name}`,
      method: 'GET',
      path: '/api/me/',
      headers,
      expect: 200,
      memo: true,
      target,
    },
    {
      id: `${id}-auth-only`,
      label: `OPTIONS /api/me/ ${name}`,
      method: 'OPTIONS',
      path: '/api/me/',
      headers,
      expect: 200,
      memo: true,
    },
  ];
  const list: RequestCase[] = [
    {
      id: 'baseline',
      label: 'OPTIONS /api/auth/register/ anonymous',
      method: 'OPTIONS',
      path: '/api/auth/register/',
      expect: 200,
      memo: false,
    },
    {
      id: 'not-found',
      label: 'GET /bench-baseline/ (404)',
      method: 'GET',
      path: '/bench-baseline/',
      expect: 404,
      memo: false,
    },
    {
      id: 'health',
      label: 'GET /api/health/',
      method: 'GET',
      path: '/api/health/',
      expect: 200,
      memo: true,
    },
    ...me('jwt-hs256', 'JWT HS256', credentials.jwt!, 0.9),
    ...me('token', 'opaque token', credentials.token!, 0.8),
    ...(credentials.session ? me('session', 'session', credentials.session, 0.85) : []),
  ];
  return list;
}

export function requestOps(cases: RequestCase[]): MicroOp[] {
  return cases.flatMap((c) =>
    (c.memo ? (['local', 'memo'] as const) : (['local'] as const)).map((storage) => ({
      label: `request ${c.label} [${storage === 'memo' ? 'storage from memory' : 'local D1/KV'}]`,
      op: 'request',
      caseId: c.id,
      request: {
        method: c.method,
        path: c.path,
        ...(c.headers ? { headers: c.headers } : {}),
        storage,
      },
      expect: c.expect,
    })),
  );
}

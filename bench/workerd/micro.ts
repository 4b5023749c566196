/**
 * The in-runtime micro-benchmark operations of `npm run bench`, run inside
 * workerd by `bench-worker.ts`. Each operation is prepared once (keys
 * imported, hashes made) and then run `iterations` times; the Node side times
 * the call (see bench/micro.ts for why) and subtracts the cost of `noop`.
 */
import { wasmArgon2id } from '../../src/crypto/argon2id';
import { createPasswordHasher, nobleArgon2id, OWASP_ARGON2ID } from '../../src/crypto/password';
import { createJwtCodec, type JwtCodec } from '../../src/crypto/jwt';
import { generateToken, parseToken, tokenDigest } from '../../src/crypto/opaque-token';
import { timingSafeEqual } from '../../src/crypto/compare';
import { parseConfig, type AuthConfig } from '../../src/config';
import { codecSettings, decodeToken, mintToken, newFamilyId } from '../../src/services/jwt-claims';
import { kvKeys } from '../../src/storage/kv/keys';
import type { Bindings } from '../../src/env';
import { probeOperation, type ProbeParams } from './probes';
import { requestOperation, type RequestSpec } from './requests';

export interface MicroRequest {
  op: string;
  iterations: number;
  /** JWT operations: the algorithm and its key (HMAC secret or PKCS#8 PEM). */
  alg?: string;
  key?: string;
  /** `request` operations: the request to serve. */
  request?: RequestSpec;
  /** `probe` operations: ids of existing rows. */
  params?: ProbeParams;
}

type Operation = () => unknown;

/** A password that passes Django's validators; its value does not change argon2id's cost. */
const PASSWORD = 'bench correct horse battery staple';
const SECRET = 'bench-micro-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

function jwtSetup(request: MicroRequest): { config: AuthConfig; codec: JwtCodec } {
  const vars: Record<string, unknown> = { ENVIRONMENT: 'production', SECRET_KEY: SECRET };
  if (request.alg) vars.ALGORITHM = request.alg;
  if (request.key) vars.SIGNING_KEY = request.key;
  const config = parseConfig(vars);
  // As src/app.ts builds the codec from the settings.
  const codec = createJwtCodec(codecSettings(config));
  return { config, codec };
}

function accessClaims(now: number) {
  const iat = Math.floor(now / 1000);
  return { type: 'access' as const, userId: 42, family: newFamilyId(now), iat, exp: iat + 3600 };
}

async function jwtOperation(request: MicroRequest, kind: string): Promise<Operation> {
  const { config, codec } = jwtSetup(request);
  const minted = await mintToken(codec, config, accessClaims(Date.now()));
  if (kind === 'sign') return () => mintToken(codec, config, accessClaims(Date.now()));
  if (kind === 'verify') return () => decodeToken(codec, config, minted.token, Date.now());
  throw new Error(`unknown JWT operation ${kind}`);
}

/**
 * `hash` / `verify` with the implementation the app uses (WebAssembly);
 * `hash-noble` / `verify-noble` with pure-JavaScript `@noble/hashes`, for comparison.
 */
async function passwordOperation(kind: string): Promise<Operation> {
  const [action, implementation] = kind.split('-') as [string, string?];
  const kdf = implementation === 'noble' ? nobleArgon2id : wasmArgon2id;
  const hasher = createPasswordHasher(OWASP_ARGON2ID, kdf);
  // No hash while preparing `hash`, so that its first call times the isolate's first hash.
  if (action === 'hash') return () => hasher.hash(PASSWORD);
  const stored = await hasher.hash(PASSWORD);
  if (action === 'verify') return () => hasher.verify(PASSWORD, stored);
  throw new Error(`unknown password operation ${kind}`);
}

function opaqueOperation(kind: string): Operation {
  const { token } = generateToken('eat');
  const parseAndDigest = async () => {
    parseToken(token, 'eat');
    const digest = await tokenDigest(token);
    return timingSafeEqual(digest, digest);
  };
  const operations: Record<string, Operation> = {
    parse: () => parseToken(token, 'eat'),
    digest: () => tokenDigest(token),
    'parse+digest': parseAndDigest,
    generate: () => generateToken('eat'),
  };
  const operation = operations[kind];
  if (!operation) throw new Error(`unknown opaque-token operation ${kind}`);
  return operation;
}

/** The two hashed KV keys `JWTAuthentication` derives per request (revoked jti, revoked family). */
function revocationKeys(): Operation {
  return async () => {
    await kvKeys.revokedToken('0123456789abcdef0123456789abcdef');
    await kvKeys.revokedFamily('0190f1e2d3c4b5a69788796a5b4c3d2e');
  };
}

async function prepare(request: MicroRequest, env: Bindings): Promise<Operation> {
  const [group, kind = ''] = request.op.split('.', 2) as [string, string?];
  switch (group) {
    case 'noop':
      return () => undefined;
    case 'argon2id':
      return passwordOperation(kind);
    case 'jwt':
      return jwtOperation(request, kind);
    case 'opaque':
      return opaqueOperation(kind);
    case 'revocation-keys':
      return revocationKeys();
    case 'probe':
      return probeOperation(kind, request.params ?? {}, env);
    case 'request':
      if (!request.request) throw new Error('a request operation needs `request`');
      return requestOperation(request.request, env);
    default:
      throw new Error(`unknown operation ${request.op}`);
  }
}

const prepared = new Map<string, Promise<Operation>>();

/** Runs the operation `iterations` times; returns the in-isolate clock readings too. */
export async function runMicro(request: MicroRequest, env: Bindings) {
  const cacheKey = JSON.stringify({ ...request, iterations: 0 });
  let operation = prepared.get(cacheKey);
  if (!operation) {
    operation = prepare(request, env);
    prepared.set(cacheKey, operation);
  }
  const run = await operation;
  let last: unknown;
  const started = performance.now();
  for (let i = 0; i < request.iterations; i++) last = await run();
  const insideMs = performance.now() - started;
  return {
    iterations: request.iterations,
    insideMs,
    ...(typeof last === 'number' ? { status: last } : {}),
  };
}

/**
 * Whether the isolate's clocks move during pure computation. On Cloudflare
 * they do not (they advance only on I/O); locally, workerd may differ.
 */
export async function clockCheck() {
  const perf0 = performance.now();
  const date0 = Date.now();
  let x = 0;
  for (let i = 0; i < 30_000_000; i++) x = (x + i * 7) % 1_000_003;
  const perfDuringCpu = performance.now() - perf0;
  const dateDuringCpu = Date.now() - date0;
  await new Promise((resolve) => setTimeout(resolve, 1));
  return {
    perfDuringCpuMs: perfDuringCpu,
    dateDuringCpuMs: dateDuringCpu,
    perfAfterTimerMs: performance.now() - perf0,
    checksum: x,
  };
}

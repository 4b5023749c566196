/**
 * Helpers shared by the test files: apps built from settings overrides,
 * requests, users made through the public API, and storage that fails on
 * purpose (the only fakes the suite uses).
 */
import { env } from 'cloudflare:test';
import type { Hono } from 'hono';
import { expect, vi } from 'vitest';
import {
  drfTokenImportPlan,
  importReport,
  type DrfTokenRow,
  type ImportReport,
} from '../../scripts/lib/drf-token-sql';
import { createApp, type AppOptions } from '../../src/app';
import { ConfigError, parseConfig } from '../../src/config';
import { wasmArgon2id } from '../../src/crypto/argon2id';
import { createPasswordHasher, type PasswordHasher } from '../../src/crypto/password';
import type { AppEnv, Bindings } from '../../src/env';
import { cloudflareStores } from '../../src/storage/cloudflare';
import type { Mailer } from '../../src/mail/types';
import type { Stores } from '../../src/storage/types';

export type App = Hono<AppEnv>;

/** The settings the test Worker runs with, plus overrides. */
export function testVars(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...(env as unknown as Record<string, unknown>), ...overrides };
}

export interface MakeAppOptions extends AppOptions {
  settings?: Record<string, unknown>;
  bindings?: Partial<Bindings>;
  stores?: Stores;
}

/** The start-up error `build` throws for a bad setting; fails the test when it throws none. */
export function configErrorOf(build: () => unknown): ConfigError {
  try {
    build();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('the settings were accepted');
}

/** An edgeauth app on the test's real local D1 and KV. */
export function makeApp(options: MakeAppOptions = {}): App {
  const vars = testVars(options.settings);
  const bindings = { ...env, ...options.bindings } as Bindings;
  return createApp(parseConfig(vars), options.stores ?? cloudflareStores(bindings), options);
}

let counter = 0;

/** A username no other test uses. */
export function uniqueName(prefix = 'user'): string {
  counter += 1;
  return `${prefix}_${counter}_${Math.random().toString(36).slice(2, 8)}`;
}

export const PASSWORD = 'correct horse battery staple';

export interface TestUser {
  id: number;
  username: string;
  email: string;
  password: string;
}

/** Registers an account through `POST /api/auth/register/`. */
export async function makeUser(
  app: App,
  fields: { username?: string; email?: string; password?: string } = {},
): Promise<TestUser> {
  const username = fields.username ?? uniqueName();
  const password = fields.password ?? PASSWORD;
  const email = fields.email ?? `${username.toLowerCase()}@example.com`;
  const res = await postJson(app, '/api/auth/register/', { username, email, password });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { id: number; username: string; email: string };
  return { ...body, password };
}

/**
 * The body `GET /api/me/` (and every route answering "the user") shows for
 * `user`; its address unverified unless it says otherwise.
 */
export function publicUser(user: {
  id: number;
  username: string;
  email: string;
  email_verified?: boolean;
}) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    email_verified: user.email_verified ?? false,
  };
}

/**
 * A mail backend that takes every mail, for apps whose tests change an
 * email in production mode: every email change tells the old address, and
 * without a backend it is refused (503).
 */
export const ACCEPT_MAIL: Mailer = { name: 'test', send: async () => {} };

/** Marks the account inactive, as an admin does in Django, revoking nothing. */
export async function markInactive(user: { id: number }): Promise<void> {
  await env.DB.prepare('UPDATE users SET is_active = 0 WHERE id = ?').bind(user.id).run();
}

export function call(app: App, path: string, init: RequestInit = {}): Promise<Response> {
  return Promise.resolve(app.request(path, init, env));
}

/**
 * What a request carries to authenticate: headers, or a cookie jar (which
 * sends the cookies a browser would send to the request's path).
 */
export type Credentials =
  Record<string, string> | { headers(path: string): Record<string, string> };

/** `GET /api/me/` with the given credentials, merged in order (a later header wins). */
export function me(app: App, ...credentials: Credentials[]): Promise<Response> {
  const headers: Record<string, string> = {};
  for (const given of credentials) {
    Object.assign(headers, typeof given.headers === 'function' ? given.headers('/api/me/') : given);
  }
  return call(app, '/api/me/', { headers });
}

/** The status and the JSON body, exactly. */
export async function expectJson(res: Response, status: number, expected: unknown) {
  expect(res.status).toBe(status);
  expect(await res.json()).toEqual(expected);
}

/** Freezes `Date` (only) at `at`; timers, I/O and the storage services keep running. */
export function freezeAt(at: number) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(at);
}

export function postJson(
  app: App,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return call(app, path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

export function basic(username: string, password: string): Record<string, string> {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return { Authorization: `Basic ${btoa(binary)}` };
}

export async function body(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}

/** A D1 binding whose every call fails as an unreachable database does. */
export function unreachableD1(): D1Database {
  const fail = () => {
    throw new Error('D1_ERROR: Network connection lost.');
  };
  return {
    prepare: fail,
    batch: async () => fail(),
    exec: async () => fail(),
    dump: async () => fail(),
    withSession: fail,
  } as unknown as D1Database;
}

/** A KV binding whose every call fails as an unreachable namespace does. */
export function unreachableKV(): KVNamespace {
  const fail = async () => {
    throw new Error('KV GET failed: 503 Service Unavailable');
  };
  return {
    get: fail,
    getWithMetadata: fail,
    put: fail,
    delete: fail,
    list: fail,
  } as unknown as KVNamespace;
}

/** DRF's answer to a request without credentials where they are needed. */
export const NOT_PROVIDED = {
  detail: 'Authentication credentials were not provided.',
  code: 'not_authenticated',
};

/** edgeauth's answer when storage it must read or write cannot be reached (fail closed). */
export const UNAVAILABLE = {
  detail: 'The authentication service is temporarily unavailable. Try again later.',
  code: 'service_unavailable',
};

/** simplejwt's challenge on 401s: `WWW-Authenticate` with the default `AUTH_HEADER_TYPES`. */
export const BEARER = 'Bearer realm="api"';

/** simplejwt's answer for an access token that does not validate (JWTAuthentication). */
export const INVALID_ACCESS = {
  detail: 'Given token not valid for any token type',
  code: 'token_not_valid',
  messages: [
    { token_class: 'AccessToken', token_type: 'access', message: 'Token is invalid or expired' },
  ],
};

/** simplejwt's answer on its token views for a token that does not validate. */
export const INVALID_TOKEN = { detail: 'Token is invalid or expired', code: 'token_not_valid' };

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

/** An opaque token (or an imported DRF key) in DRF's `Authorization: Token` header. */
export function tokenHeader(token: string, keyword = 'Token'): Record<string, string> {
  return { Authorization: `${keyword} ${token}` };
}

export interface Pair {
  refresh: string;
  access: string;
}

/** Logs in through `POST /api/token/` and returns the pair. */
export async function obtainPair(
  app: App,
  user: { username: string; password: string },
): Promise<Pair> {
  const res = await postJson(app, '/api/token/', {
    username: user.username,
    password: user.password,
  });
  if (res.status !== 200) throw new Error(`obtain failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as Pair;
}

/** The JSON parts of a compact JWT, without verifying anything. */
export function decodeParts(token: string): {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
} {
  const [header, claims] = token
    .split('.')
    .slice(0, 2)
    .map((part) => {
      const padded = part.replace(/-/g, '+').replace(/_/g, '/');
      return JSON.parse(atob(padded + '='.repeat((4 - (padded.length % 4)) % 4))) as Record<
        string,
        unknown
      >;
    });
  return { header: header!, claims: claims! };
}

let imports = 0;

/**
 * Runs `import-drf-tokens`' SQL against the test D1, as the command does with
 * `wrangler d1 execute` (the statements as one batch, then the count query,
 * then the drop), and returns its report. The dump is taken now by default.
 */
export async function importDrfKeys(
  rows: DrfTokenRow[],
  options: { dumpedAt?: number } = {},
): Promise<ImportReport> {
  imports += 1;
  const now = Date.now();
  const table = `drf_token_import_test_${imports}_${Math.random().toString(36).slice(2, 8)}`;
  const plan = await drfTokenImportPlan(rows, { dumpedAt: options.dumpedAt ?? now, now, table });
  try {
    await env.DB.batch(plan.statements.map((sql) => env.DB.prepare(sql)));
    const counts = await env.DB.prepare(plan.countSql).all<{ outcome: string; n: number }>();
    return importReport(plan, counts.results);
  } finally {
    await env.DB.prepare(plan.dropSql).run();
  }
}

/** A cheap real hasher that counts every hash, verification and timing burn it makes. */
export interface CountingHasher extends PasswordHasher {
  count: number;
}

export function countingHasher(): CountingHasher {
  const real = createPasswordHasher({ memoryKiB: 64, iterations: 1, parallelism: 1 }, wasmArgon2id);
  const counter: CountingHasher = {
    count: 0,
    hash: (password) => (counter.count++, real.hash(password)),
    verify: (password, encoded) => (counter.count++, real.verify(password, encoded)),
    burn: (password) => (counter.count++, real.burn(password)),
  };
  return counter;
}

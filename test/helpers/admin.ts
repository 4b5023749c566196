/**
 * Helpers for the admin API's tests: administrators made the way a
 * deployment makes them (a superuser through `createsuperuser`'s SQL, staff
 * through the admin API by a superuser), requests to the admin routes, and
 * the security events they record.
 */
import { env } from 'cloudflare:test';
import { expect } from 'vitest';
import { superuserInsertSql } from '../../scripts/lib/superuser-sql';
import { parseConfig } from '../../src/config';
import { createPasswordHasher } from '../../src/crypto/password';
import { createServices } from '../../src/services';
import { cloudflareStores } from '../../src/storage/cloudflare';
import {
  PASSWORD,
  bearer,
  call,
  makeUser,
  obtainPair,
  testVars,
  uniqueName,
  type App,
  type TestUser,
} from './index';

export const ADMIN = '/api/admin';

export interface Admin extends TestUser {
  /** `Authorization: Bearer <access>` of a fresh login. */
  headers: Record<string, string>;
}

const hasher = createPasswordHasher({ memoryKiB: 64, iterations: 1, parallelism: 1 });

/** A superuser created with the SQL `npm run createsuperuser` runs, logged in with a JWT. */
export async function makeSuperuser(app: App): Promise<Admin> {
  const username = uniqueName('root');
  const email = `${username.toLowerCase()}@example.com`;
  const passwordHash = await hasher.hash(PASSWORD);
  await env.DB.prepare(
    superuserInsertSql({ username, email, passwordHash, now: Date.now() }),
  ).run();
  const row = await env.DB.prepare('SELECT id FROM users WHERE username = ?')
    .bind(username)
    .first<{ id: number }>();
  const user = { id: row!.id, username, email, password: PASSWORD };
  return { ...user, headers: bearer((await obtainPair(app, user)).access) };
}

/** A staff user (not a superuser): registered, then promoted by `by` through the admin API. */
export async function makeStaff(app: App, by: Admin): Promise<Admin> {
  const user = await makeUser(app, { username: uniqueName('staff') });
  const res = await patchUser(app, by, user.id, { is_staff: true });
  expect(res.status).toBe(200);
  return { ...user, headers: bearer((await obtainPair(app, user)).access) };
}

export function adminGet(app: App, who: Record<string, string>, path: string): Promise<Response> {
  return call(app, `${ADMIN}${path}`, { headers: who });
}

export function patchUser(
  app: App,
  by: { headers: Record<string, string> },
  id: number | string,
  fields: unknown,
): Promise<Response> {
  return call(app, `${ADMIN}/users/${id}/`, {
    method: 'PATCH',
    headers: { ...by.headers, 'Content-Type': 'application/json' },
    body: JSON.stringify(fields),
  });
}

export function deleteUser(
  app: App,
  by: { headers: Record<string, string> },
  id: number | string,
): Promise<Response> {
  return call(app, `${ADMIN}/users/${id}/`, { method: 'DELETE', headers: by.headers });
}

export function revokeCredentials(
  app: App,
  by: { headers: Record<string, string> },
  id: number | string,
): Promise<Response> {
  return call(app, `${ADMIN}/users/${id}/revoke-credentials/`, {
    method: 'POST',
    headers: by.headers,
  });
}

/** The security events of `userId`, oldest first, as `{type, detail}`. */
export async function eventsOf(userId: number) {
  const services = createServices(parseConfig(testVars()), cloudflareStores(env));
  const { events } = await services.audit.list({ userId, limit: 100, offset: 0 });
  return events.reverse().map(({ type, detail, credential }) => ({ type, detail, credential }));
}

/** DRF's 403 for a refusal with `detail`. */
export function denied(detail: string) {
  return { detail, code: 'permission_denied' };
}

export const NOT_FOUND = { detail: 'Not found.', code: 'not_found' };

/**
 * @module fuzz/pool
 * Real, valid credentials for the fuzzer, obtained through the public API of
 * the configuration under test: a fresh account, a JWT pair, an opaque token
 * and a scoped one, a browser session with its CSRF token. Generated cases
 * log out, revoke and rename, so the runner renews the pool every so often.
 */
import type { Pool } from './model';
import { ORIGIN } from './resolve';
import type { Target } from './targets';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random letters and digits: unique enough that finding them in an answer means an echo. */
export function randomSecret(length = 24): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (byte) => ALPHANUMERIC[byte % ALPHANUMERIC.length]).join('');
}

async function call(
  target: Target,
  method: string,
  path: string,
  init: { headers?: Record<string, string>; json?: unknown } = {},
): Promise<Response> {
  const headers = { ...init.headers };
  if (init.json !== undefined) headers['Content-Type'] = 'application/json';
  const res = await target.fetch(
    new Request(`${ORIGIN}${path}`, {
      method,
      headers,
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    }),
  );
  if (res.status >= 300) {
    throw new Error(`fuzz pool: ${method} ${path} answered ${res.status} ${await res.text()}`);
  }
  return res;
}

function cookie(res: Response, name: string): string {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    if (pair!.startsWith(`${name}=`)) return pair!.slice(name.length + 1);
  }
  throw new Error(`fuzz pool: no ${name} cookie`);
}

type Json = Record<string, unknown>;

async function json<T = Json>(response: Promise<Response>): Promise<T> {
  return (await (await response).json()) as T;
}

/** A browser session for the account: the cookie, its CSRF token and its public id. */
async function session(target: Target, credentials: { username: string; password: string }) {
  const login = await call(target, 'POST', '/api/auth/login/', { json: credentials });
  const sessionId = cookie(login, 'sessionid');
  const listed = await json<{ id: string }[]>(
    call(target, 'GET', '/api/auth/sessions/', { headers: { Cookie: `sessionid=${sessionId}` } }),
  );
  return { sessionId, csrf: cookie(login, 'csrftoken'), sessionPublicId: listed[0]!.id };
}

/**
 * A new account with random credentials. Django's similarity validator
 * compares letters regardless of order, so a random password is, now and
 * then, "too similar" to a random username: then try other ones.
 */
async function register(target: Target) {
  for (let attempt = 1; ; attempt++) {
    const credentials = { username: `fuzz_${randomSecret(10)}`, password: randomSecret(24) };
    const email = `${credentials.username}@example.com`;
    const res = await target.fetch(
      new Request(`${ORIGIN}/api/auth/register/`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...credentials, email }),
      }),
    );
    if (res.status === 201) return { credentials, user: (await res.json()) as Json };
    if (res.status !== 400 || attempt === 5) {
      throw new Error(`fuzz pool: register answered ${res.status} ${await res.text()}`);
    }
  }
}

/** Registers an account and obtains one of each credential for it. */
export async function makePool(target: Target): Promise<Pool> {
  const { credentials, user } = await register(target);
  const pair = await json(call(target, 'POST', '/api/token/', { json: credentials }));
  const { token } = await json<{ token: string }>(
    call(target, 'POST', '/api-token-auth/', { json: credentials }),
  );
  const scoped = await json(
    call(target, 'POST', '/api/tokens/', {
      headers: { Authorization: `Token ${token}` },
      json: { name: 'fuzz scoped', scopes: ['read'] },
    }),
  );
  return {
    userId: user.id as number,
    ...credentials,
    access: pair.access as string,
    refresh: pair.refresh as string,
    token,
    tokenId: token.split('_')[1]!,
    scopedToken: scoped.token as string,
    ...(await session(target, credentials)),
    serverSecrets: target.serverSecrets,
  };
}

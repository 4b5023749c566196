/**
 * Seeding through the public API only, as a client would: an account
 * (`POST /api/auth/register/`), a JWT pair (`POST /api/token/`), an opaque
 * token (`POST /api-token-auth/`), a session (`POST /api/auth/login/`, when
 * that route exists) and a Basic header.
 */
import { randomBytes } from 'node:crypto';

export interface Account {
  username: string;
  password: string;
}

export interface Session {
  /** The `Cookie` header to send; undefined when sessions could not be used. */
  cookie?: string;
  /** Why the session cases are skipped. */
  skipped?: string;
}

export function newAccount(): Account {
  return {
    username: `bench_${randomBytes(4).toString('hex')}`,
    // Nothing of the username in it: registration refuses passwords built on it.
    password: `Load-${randomBytes(18).toString('base64url')}`,
  };
}

async function post(baseUrl: string, path: string, body: unknown, headers = {}) {
  return fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

async function expectJson<T>(response: Response, what: string): Promise<T> {
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${what} answered ${response.status}: ${text.slice(0, 300)}`);
  }
  return JSON.parse(text) as T;
}

export async function register(baseUrl: string, account: Account): Promise<void> {
  const response = await post(baseUrl, '/api/auth/register/', account);
  await expectJson(response, 'POST /api/auth/register/');
}

export async function obtainPair(
  baseUrl: string,
  account: Account,
): Promise<{ access: string; refresh: string }> {
  const response = await post(baseUrl, '/api/token/', account);
  return expectJson(response, 'POST /api/token/');
}

export async function obtainAuthToken(baseUrl: string, account: Account): Promise<string> {
  const response = await post(baseUrl, '/api-token-auth/', account);
  return (await expectJson<{ token: string }>(response, 'POST /api-token-auth/')).token;
}

export function basicHeader(account: Account): string {
  return `Basic ${Buffer.from(`${account.username}:${account.password}`).toString('base64')}`;
}

/** `name=value` pairs of the cookies a response sets (expired ones left out). */
export function cookiesOf(setCookies: readonly string[]): string {
  return setCookies
    .filter((cookie) => !/;\s*max-age=0\b/i.test(cookie))
    .map((cookie) => cookie.split(';', 1)[0]!.trim())
    .filter((pair) => pair.includes('='))
    .join('; ');
}

/**
 * Logs in through `POST /api/auth/login/` and keeps the cookies it sets.
 * Until session authentication exists the route is a 404, and the session
 * cases are skipped with that reason.
 */
export async function sessionLogin(baseUrl: string, account: Account): Promise<Session> {
  const response = await post(baseUrl, '/api/auth/login/', account, { Origin: baseUrl });
  const text = await response.text();
  if (response.status === 404) {
    return { skipped: 'POST /api/auth/login/ does not exist yet (404): no session authentication' };
  }
  if (!response.ok) {
    return { skipped: `POST /api/auth/login/ answered ${response.status}: ${text.slice(0, 200)}` };
  }
  const cookie = cookiesOf(response.headers.getSetCookie());
  if (cookie === '') return { skipped: 'POST /api/auth/login/ set no cookie' };
  return { cookie };
}

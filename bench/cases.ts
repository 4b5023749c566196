/**
 * What `npm run bench` loads, case by case. Every figure is compared with
 * the baseline of the same Worker instance, measured in the same run:
 * `OPTIONS /api/auth/register/` without credentials runs the whole global
 * middleware stack, `authenticate()` (which finds no credentials),
 * `requirePermission(AllowAny)` and the endpoint, and answers a small JSON
 * body without touching storage. `OPTIONS /api/me/` with a credential runs
 * the same stack with authentication succeeding, so its ratio isolates the
 * cost of authenticating; `GET /api/me/` adds the route's own work (for JWT,
 * reading the account from D1).
 */
import type { Account, Session } from './seed';
import { basicHeader, obtainPair } from './seed';
import type { WrkRequest } from './wrk';

export type CaseKind = 'baseline' | 'reference' | 'auth' | 'endpoint';

export interface BenchCase {
  id: string;
  label: string;
  kind: CaseKind;
  /** The target, as a ratio to the baseline. */
  target?: number;
  request: WrkRequest;
  /** Runs before every wrk run of the case (refresh: fresh refresh tokens). */
  prepare?: () => Promise<Partial<WrkRequest>>;
}

export const BASELINE: BenchCase = {
  id: 'baseline',
  label: 'OPTIONS /api/auth/register/, anonymous (baseline)',
  kind: 'baseline',
  request: { method: 'OPTIONS', path: '/api/auth/register/', expect: 200 },
};

/** Other routes that answer without authentication, to show how the baseline compares. */
export const REFERENCES: BenchCase[] = [
  {
    id: 'not-found',
    label: 'GET /bench-baseline/ (404, no route middleware)',
    kind: 'reference',
    request: { method: 'GET', path: '/bench-baseline/', expect: 404 },
  },
  {
    id: 'health',
    label: 'GET /api/health/ (1 D1 query + 1 KV read, no auth)',
    kind: 'reference',
    request: { method: 'GET', path: '/api/health/', expect: 200 },
  },
];

/** `GET /api/me/` with the credential, and `OPTIONS /api/me/` (authentication only). */
function meCases(id: string, name: string, headers: Record<string, string>, target?: number) {
  const both: BenchCase[] = [
    {
      id,
      label: `GET /api/me/, ${name}`,
      kind: 'auth',
      ...(target === undefined ? {} : { target }),
      request: { method: 'GET', path: '/api/me/', headers, expect: 200 },
    },
    {
      id: `${id}-auth-only`,
      label: `OPTIONS /api/me/, ${name} (authentication only)`,
      kind: 'auth',
      request: { method: 'OPTIONS', path: '/api/me/', headers, expect: 200 },
    },
  ];
  return both;
}

export function jwtCases(algorithm: string, access: string): BenchCase[] {
  const id = `jwt-${algorithm.toLowerCase()}`;
  return meCases(id, `JWT ${algorithm}`, { Authorization: `Bearer ${access}` }, 0.9);
}

export function tokenCases(token: string): BenchCase[] {
  return meCases('token', 'opaque token', { Authorization: `Token ${token}` }, 0.8);
}

export function sessionCases(session: Session): BenchCase[] {
  if (session.cookie === undefined) return [];
  return meCases('session', 'session cookie', { Cookie: session.cookie }, 0.85);
}

export function basicCase(account: Account): BenchCase {
  return {
    id: 'basic',
    label: 'GET /api/me/, Basic (one argon2id verify per request)',
    kind: 'auth',
    request: {
      method: 'GET',
      path: '/api/me/',
      headers: { Authorization: basicHeader(account) },
      expect: 200,
    },
  };
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };

export function endpointCases(baseUrl: string, account: Account, connections: number) {
  const credentials = JSON.stringify(account);
  const cases: BenchCase[] = [
    {
      id: 'login',
      label: 'POST /api/token/ (login: argon2id verify, new refresh family)',
      kind: 'endpoint',
      request: {
        method: 'POST',
        path: '/api/token/',
        headers: JSON_HEADERS,
        body: credentials,
        expect: 200,
      },
    },
    {
      id: 'refresh',
      label: 'POST /api/token/refresh/ (rotation, never-used tokens)',
      kind: 'endpoint',
      request: { method: 'POST', path: '/api/token/refresh/', expect: 200, script: 'refresh' },
      // One login per connection, so each chain of rotations is its own family; plus
      // one, because wrk calls request() once per thread before sending anything.
      async prepare() {
        const pairs = [];
        for (let i = 0; i <= connections; i++) pairs.push(await obtainPair(baseUrl, account));
        return { refreshTokens: pairs.map((pair) => pair.refresh) };
      },
    },
    {
      id: 'api-token-auth',
      label: 'POST /api-token-auth/ (argon2id verify, new opaque token)',
      kind: 'endpoint',
      request: {
        method: 'POST',
        path: '/api-token-auth/',
        headers: JSON_HEADERS,
        body: credentials,
        expect: 200,
      },
    },
  ];
  return cases;
}

/** `POST /api/auth/login/` (session login: argon2id verify, a new session in KV). */
export function sessionLoginCase(baseUrl: string, account: Account): BenchCase {
  return {
    id: 'session-login',
    label: 'POST /api/auth/login/ (argon2id verify, new session)',
    kind: 'endpoint',
    request: {
      method: 'POST',
      path: '/api/auth/login/',
      // The login is CSRF-checked: a browser sends its own origin.
      headers: { ...JSON_HEADERS, Origin: baseUrl },
      body: JSON.stringify(account),
      expect: 200,
    },
  };
}

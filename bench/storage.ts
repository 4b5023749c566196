/**
 * Storage round trips of one request, per authentication method and per
 * credential endpoint, counted through the helper Worker (see runtime.ts).
 * The sequence is self-contained: it logs in, refreshes, obtains a token and
 * a session through the counted app itself, then uses each credential.
 */
import type { Account } from './seed';
import { basicHeader, cookiesOf } from './seed';
import { countRequest, type CountAnswer, type CountedRequest, type StorageTrips } from './runtime';

export interface StorageRow {
  label: string;
  status: number;
  /** Round trips made before the response was complete. */
  beforeResponse: StorageTrips;
  /** Round trips issued after the response was complete. */
  afterResponse: StorageTrips;
  /** Tasks handed to `waitUntil` (throttled `last_used` writes, ...): the response did not wait. */
  waitUntil: number;
}

export interface StorageReport {
  rows: StorageRow[];
  sessionSkipped?: string;
  /** The credentials obtained on the way, for the in-isolate request benchmarks (not reported). */
  credentials: Record<string, Record<string, string>>;
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };

export async function countStorage(
  baseUrl: string,
  account: Account,
  sessions: boolean,
): Promise<StorageReport> {
  const rows: StorageRow[] = [];
  const count = async (label: string, request: CountedRequest) => {
    const answer = await countRequest(baseUrl, request);
    rows.push({ label, status: answer.status, ...pick(answer) });
    return answer;
  };
  const me = (headers: Record<string, string>) => ({ method: 'GET', path: '/api/me/', headers });
  const meOptions = (headers: Record<string, string>) => ({ ...me(headers), method: 'OPTIONS' });
  const loginBody = { headers: JSON_HEADERS, body: JSON.stringify(account) };

  await count('OPTIONS /api/auth/register/ (baseline, anonymous)', {
    method: 'OPTIONS',
    path: '/api/auth/register/',
  });
  const login = await count('POST /api/token/ (login)', {
    method: 'POST',
    path: '/api/token/',
    ...loginBody,
  });
  const pair = JSON.parse(login.body) as { access: string; refresh: string };
  const bearer = { Authorization: `Bearer ${pair.access}` };
  await count('GET /api/me/ JWT', me(bearer));
  await count('OPTIONS /api/me/ JWT (authentication only)', meOptions(bearer));
  await count('POST /api/token/refresh/ (rotation)', {
    method: 'POST',
    path: '/api/token/refresh/',
    headers: JSON_HEADERS,
    body: JSON.stringify({ refresh: pair.refresh }),
  });

  const obtained = await count('POST /api-token-auth/', {
    method: 'POST',
    path: '/api-token-auth/',
    ...loginBody,
  });
  const token = {
    Authorization: `Token ${(JSON.parse(obtained.body) as { token: string }).token}`,
  };
  await count('GET /api/me/ opaque token, first use', me(token));
  await count('GET /api/me/ opaque token, again within TOKEN_MIN_REFRESH_INTERVAL', me(token));
  await count('OPTIONS /api/me/ opaque token (authentication only)', meOptions(token));

  await count('GET /api/me/ Basic', me({ Authorization: basicHeader(account) }));

  const basic = { Authorization: basicHeader(account) };
  const credentials: StorageReport['credentials'] = { jwt: bearer, token, basic };
  if (!sessions) {
    return { rows, credentials, sessionSkipped: 'SessionAuthentication is not available' };
  }
  const session = await countRequest(baseUrl, {
    method: 'POST',
    path: '/api/auth/login/',
    headers: { ...JSON_HEADERS, Origin: 'http://127.0.0.1' },
    body: JSON.stringify(account),
  });
  if (session.status === 404) {
    return { rows, credentials, sessionSkipped: 'POST /api/auth/login/ does not exist yet (404)' };
  }
  rows.push({
    label: 'POST /api/auth/login/ (session login)',
    status: session.status,
    ...pick(session),
  });
  const cookie = { Cookie: cookiesOf(session.setCookies) };
  credentials.session = cookie;
  await count('GET /api/me/ session, first use', me(cookie));
  await count('GET /api/me/ session, again', me(cookie));
  await count('OPTIONS /api/me/ session (authentication only)', meOptions(cookie));
  return { rows, credentials };
}

function pick(answer: CountAnswer) {
  const { beforeResponse, afterResponse, waitUntil } = answer;
  return { beforeResponse, afterResponse, waitUntil };
}

/**
 * @module routes/sessions
 * The JSON session routes under `ROUTE_PREFIX_AUTH` (dj-rest-auth's
 * `login/` and `logout/`), and the user's session list: `sessions/`,
 * `sessions/{id}/` (revoke one) and `sessions/logoutothers/`. A user only
 * ever sees and revokes their own sessions; another user's session id
 * answers 404, like an id that does not exist.
 */
import type { Context, Hono } from 'hono';
import { authenticate } from '../auth/authenticate';
import { enforceSameOrigin } from '../auth/csrf';
import { expireSessionCookie, sessionDeps } from '../auth/session';
import type { AppEnv } from '../env';
import { AuthError, ValidationError } from '../errors';
import { endpoint } from '../http/endpoint';
import { IsAuthenticated, IsNotScopedToken, requirePermission } from '../permissions';
import { listSessions, revokeOtherSessions, revokeSession } from '../services/sessions';
import { publicUser } from '../services/users';
import { credentialsFromBody } from './deps';
import { beginSession, finishSession } from './session-login';

function currentSession(c: Context<AppEnv>): string | undefined {
  const credential = c.var.auth?.credential;
  return credential?.kind === 'session' ? credential.id : undefined;
}

async function login(c: Context<AppEnv>): Promise<Response> {
  enforceSameOrigin(c, c.var.edgeauth.config);
  const user = await credentialsFromBody(c);
  if (!user) throw ValidationError.nonField('Unable to log in with provided credentials.');
  await beginSession(c, user);
  return c.json(publicUser(user));
}

async function logout(c: Context<AppEnv>): Promise<Response> {
  await finishSession(c);
  expireSessionCookie(c, c.var.edgeauth.config);
  return c.json({ detail: 'Successfully logged out.' });
}

async function list(c: Context<AppEnv>): Promise<Response> {
  const current = currentSession(c);
  const iso = (ms: number) => new Date(ms).toISOString();
  const sessions = await listSessions(sessionDeps(c), c.var.auth!.userId);
  return c.json(
    sessions.map((session) => ({
      id: session.id,
      created: iso(session.createdAt),
      last_seen: iso(session.lastSeenAt),
      expires: iso(session.expiresAt),
      user_agent: session.userAgent,
      ip: session.ip,
      current: session.id === current,
    })),
  );
}

async function revoke(c: Context<AppEnv>): Promise<Response> {
  const id = c.req.param('id') ?? '';
  if (
    !/^[0-9a-f]{32}$/.test(id) ||
    !(await revokeSession(sessionDeps(c), c.var.auth!.userId, id))
  ) {
    throw new AuthError('not_found', 'Not found.');
  }
  if (id === currentSession(c)) expireSessionCookie(c, c.var.edgeauth.config);
  return c.body(null, 204);
}

async function logoutOthers(c: Context<AppEnv>): Promise<Response> {
  const revoked = await revokeOtherSessions(sessionDeps(c), c.var.auth!.userId, currentSession(c));
  return c.json({ detail: 'Logged out of every other session.', revoked });
}

export function sessionRoutes(app: Hono<AppEnv>, prefix: string): void {
  const sessionOnly = authenticate({ classes: ['SessionAuthentication'] });
  const signedIn = [authenticate(), requirePermission(IsAuthenticated, IsNotScopedToken)] as const;
  app.all(`${prefix}/login`, sessionOnly, endpoint({ name: 'Login' }, { POST: login }));
  app.all(`${prefix}/logout`, sessionOnly, endpoint({ name: 'Logout' }, { POST: logout }));
  app.all(
    `${prefix}/sessions/logoutothers`,
    ...signedIn,
    endpoint({ name: 'Logout Other Sessions' }, { POST: logoutOthers }),
  );
  app.all(`${prefix}/sessions`, ...signedIn, endpoint({ name: 'Sessions' }, { GET: list }));
  app.all(`${prefix}/sessions/:id`, ...signedIn, endpoint({ name: 'Session' }, { DELETE: revoke }));
}

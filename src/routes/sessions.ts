/**
 * @module routes/sessions
 * The JSON session routes under `ROUTE_PREFIX_AUTH` (dj-rest-auth's
 * `login/` and `logout/`), and the user's session list: `sessions/`,
 * `sessions/{id}/` (revoke one) and `sessions/logoutothers/`. A user only
 * ever sees and revokes their own sessions; another user's session id
 * answers 404, like an id that does not exist.
 */
import { enforceSameOrigin } from '../auth/csrf';
import { expireSessionCookie } from '../auth/session';
import type { Authentication } from '../auth/types';
import type { AuthConfig } from '../config';
import { ApiError } from '../errors';
import { IsAuthenticated, IsNotScopedToken } from '../permissions';
import { publicUser } from '../services/users';
import { credentials, loginAttempt, refusedLogin } from './credentials';
import { operation, type RouteDeclaration } from './declare';
import { NOT_FOUND, NO_CONTENT, VALIDATION_ERROR, json, ref } from './responses';
import { sessionLogin, sessionLogout } from './session-cookies';

function currentSession(auth: Authentication | null): string | undefined {
  const credential = auth?.credential;
  return credential?.kind === 'session' ? credential.id : undefined;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function sessionRoutes(config: AuthConfig): RouteDeclaration[] {
  const prefix = config.ROUTE_PREFIX_AUTH;
  const tag = 'Sessions';
  const signedIn = {
    authentication: 'default',
    permissions: [IsAuthenticated, IsNotScopedToken],
  } as const;
  return [
    {
      path: `${prefix}/login/`,
      name: 'Login',
      tag,
      operations: {
        POST: operation({
          summary: 'Log in with a browser session (dj-rest-auth login/)',
          description: 'Sets the session cookie and a new CSRF token; same-origin requests only.',
          authentication: ['SessionAuthentication'],
          permissions: [],
          body: credentials(config),
          responses: {
            200: json('Logged in; the session cookie is set.', ref('User')),
            400: VALIDATION_ERROR,
          },
          async handler(c, { body }) {
            enforceSameOrigin(c, config);
            const result = await sessionLogin(c, loginAttempt(c, 'session', await body()));
            if (!result.ok) throw refusedLogin(result.refusal);
            return c.json(publicUser(result.user));
          },
        }),
      },
    },
    {
      path: `${prefix}/logout/`,
      name: 'Logout',
      tag,
      operations: {
        POST: operation({
          summary: 'End the browser session (dj-rest-auth logout/)',
          authentication: ['SessionAuthentication'],
          permissions: [],
          responses: { 200: json('Logged out; the session cookie is deleted.', ref('Detail')) },
          async handler(c, { auth }) {
            await sessionLogout(c, config, auth);
            expireSessionCookie(c, config);
            return c.json({ detail: 'Successfully logged out.' });
          },
        }),
      },
    },
    {
      path: `${prefix}/sessions/logoutothers/`,
      name: 'Logout Other Sessions',
      tag,
      operations: {
        POST: operation({
          summary: 'End every other session of the user',
          ...signedIn,
          responses: {
            200: json('How many sessions ended.', {
              type: 'object',
              properties: { detail: { type: 'string' }, revoked: { type: 'integer' } },
              required: ['detail', 'revoked'],
            }),
          },
          async handler(c, { auth }) {
            const { sessions } = c.var.edgeauth.services;
            const revoked = await sessions.revokeOthers(auth.userId, currentSession(auth));
            return c.json({ detail: 'Logged out of every other session.', revoked });
          },
        }),
      },
    },
    {
      path: `${prefix}/sessions/`,
      name: 'Sessions',
      tag,
      operations: {
        GET: operation({
          summary: 'The user’s live sessions, newest first',
          ...signedIn,
          responses: { 200: json('The sessions.', { type: 'array', items: ref('Session') }) },
          async handler(c, { auth }) {
            const current = currentSession(auth);
            const sessions = await c.var.edgeauth.services.sessions.list(auth.userId);
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
          },
        }),
      },
    },
    {
      path: `${prefix}/sessions/:id/`,
      name: 'Session',
      tag,
      operations: {
        DELETE: operation({
          summary: 'End one of the user’s sessions',
          ...signedIn,
          responses: { 204: NO_CONTENT, 404: NOT_FOUND },
          async handler(c, { auth }) {
            const id = c.req.param('id') ?? '';
            if (!(await c.var.edgeauth.services.sessions.revoke(auth.userId, id))) {
              throw new ApiError('not_found', 'Not found.');
            }
            if (id === currentSession(auth)) expireSessionCookie(c, config);
            return c.body(null, 204);
          },
        }),
      },
    },
  ];
}

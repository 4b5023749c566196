/**
 * @module routes/passwords
 * `POST <ROUTE_PREFIX_AUTH>/password/change/`: dj-rest-auth's
 * `PasswordChangeView` with `OLD_PASSWORD_FIELD_ENABLED`. Every other
 * credential of the user dies; the one the request came with carries on,
 * renewed: a session is rotated (new cookie and CSRF token), a JWT request
 * gets a new pair (and the cookies in cookie mode), an opaque-token request
 * a new token. The use case is `services/passwords.ts`.
 */
import type { Context } from 'hono';
import { loadUser } from '../auth/authenticate';
import type { Authentication } from '../auth/types';
import type { AuthConfig } from '../config';
import type { AppEnv } from '../env';
import { clientDetails } from '../http/client';
import { readCookie } from '../http/cookies';
import { defer } from '../http/defer';
import { IsAuthenticated, IsNotScopedToken } from '../permissions';
import type { CarriedCredential, Renewed } from '../services/passwords';
import { body, string } from '../validation/schema';
import { operation, type RouteDeclaration } from './declare';
import { setJwtCookies } from './jwt-cookies';
import { VALIDATION_ERROR, json, ref } from './responses';
import { setSessionCookies } from './session-cookies';

/** dj-rest-auth's success text. */
export const PASSWORD_SAVED = 'New password has been saved.';

function changeBody(config: AuthConfig) {
  const password = (description: string) =>
    string({ trim: false, maxLength: config.PASSWORD_MAX_LENGTH, format: 'password', description });
  return body({
    old_password: password('The current password.'),
    new_password1: password('The new password; Django’s validators apply.'),
    new_password2: password('new_password1 again.'),
  });
}

const str = { type: 'string' } as const;
const PASSWORD_CHANGED = json(
  'Saved. A JWT request also gets a new pair, an opaque-token request a new token; a session request gets a new session cookie.',
  {
    type: 'object',
    properties: { detail: str, access: str, refresh: str, token: str },
    required: ['detail'],
  },
);

/** The credential the request authenticated with, as the use case renews it. */
function carried(c: Context<AppEnv>, config: AuthConfig, auth: Authentication): CarriedCredential {
  switch (auth.method) {
    case 'jwt':
      return { kind: 'jwt' };
    case 'token':
      return { kind: 'token', id: auth.credential.id };
    case 'session':
      return { kind: 'session', cookie: readCookie(c, config.SESSION_COOKIE_NAME) };
    case 'basic':
      return { kind: 'basic' };
  }
}

/** dj-rest-auth's detail, with the renewed credential; every write is done by now. */
function answer(c: Context<AppEnv>, config: AuthConfig, renewed: Renewed): Response {
  const detail = PASSWORD_SAVED;
  switch (renewed.kind) {
    case 'jwt': {
      const { access, refresh } = renewed.pair;
      setJwtCookies(c, config, renewed.pair, true);
      return c.json({ detail, access, refresh });
    }
    case 'token':
      return c.json({ detail, token: renewed.token });
    case 'session':
      setSessionCookies(c, config, renewed.sessionId);
      return c.json({ detail });
    case 'basic':
      return c.json({ detail });
  }
}

export function passwordRoutes(config: AuthConfig): RouteDeclaration[] {
  return [
    {
      path: `${config.ROUTE_PREFIX_AUTH}/password/change/`,
      name: 'Password Change',
      tag: 'Accounts',
      operations: {
        POST: operation({
          summary: 'Change the password (dj-rest-auth password/change/)',
          description:
            'Revokes every credential of the user; the one used carries on, renewed. A scoped token cannot.',
          authentication: 'default',
          permissions: [IsAuthenticated, IsNotScopedToken],
          body: changeBody(config),
          responses: {
            200: PASSWORD_CHANGED,
            400: VALIDATION_ERROR,
            403: json('A scoped token, or a failed CSRF check.', ref('Error')),
          },
          async handler(c, { auth, body }) {
            const input = await body();
            const user = await loadUser(c);
            const client = clientDetails(c);
            const { passwords, audit } = c.var.edgeauth.services;
            const renewed = await passwords.change({
              user,
              oldPassword: input.old_password,
              newPassword1: input.new_password1,
              newPassword2: input.new_password2,
              credential: carried(c, config, auth),
              client,
            });
            const event = { type: 'password_changed', userId: user.id, credential: auth.method };
            await defer(c, 'password_changed event', () => audit.record({ ...event, ...client }));
            return answer(c, config, renewed);
          },
        }),
      },
    },
  ];
}

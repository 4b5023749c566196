/**
 * @module routes/api-tokens
 * Opaque tokens over HTTP: DRF's `POST /api-token-auth/` (username and
 * password for `{"token"}`), and knox-style management under
 * `ROUTE_PREFIX_TOKENS`: list, create, revoke one, `logout/` (the token in
 * use) and `logoutall/`. A user only ever sees and revokes their own tokens;
 * another user's token id answers 404, like an id that does not exist.
 */
import type { AuthConfig } from '../config';
import { ApiError } from '../errors';
import { AllowAny, IsAuthenticated, IsNotScopedToken } from '../permissions';
import { describeToken } from '../services/api-tokens';
import { loadUser } from '../auth/authenticate';
import type { Authentication } from '../auth/types';
import { body, custom, string } from '../validation/schema';
import type { Fields } from '../validation/fields';
import { credentials, loginAttempt, refusedLogin } from './credentials';
import { operation, type RouteDeclaration } from './declare';
import { NOT_FOUND, NO_CONTENT, VALIDATION_ERROR, json, ref } from './responses';

const TOKEN_NAME_MAX_LENGTH = 100;
const MAX_SCOPES = 20;
const SCOPE = /^[A-Za-z0-9:._-]{1,64}$/;
const MAX_LIFETIME = 3650 * 86_400;

type Data = Readonly<Record<string, unknown>>;

function readLifetime(fields: Fields, name: string, data: Data): number | undefined {
  if (!fields.has(name)) return undefined;
  const raw = data[name];
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    fields.add(name, 'A valid integer is required.');
  } else if (value < 60 || value > MAX_LIFETIME) {
    fields.add(name, `Ensure this value is between 60 and ${MAX_LIFETIME} seconds.`);
  } else {
    return value;
  }
  return undefined;
}

function readScopes(fields: Fields, name: string, data: Data): string[] | undefined {
  if (!fields.has(name) || data[name] === null) return undefined;
  const scopes = data[name];
  if (!Array.isArray(scopes)) {
    fields.add(name, 'Expected a list of items but got type "' + typeof scopes + '".');
    return undefined;
  }
  if (scopes.length > MAX_SCOPES)
    fields.add(name, `Ensure this field has no more than ${MAX_SCOPES} elements.`);
  for (const scope of scopes) {
    if (typeof scope !== 'string' || !SCOPE.test(scope)) {
      fields.add(name, 'Each scope is 1 to 64 letters, digits or :._- characters.');
      break;
    }
  }
  return [...new Set(scopes as string[])];
}

const newToken = body({
  name: string({ maxLength: TOKEN_NAME_MAX_LENGTH, description: 'What the token is for.' }),
  expires_in: custom({
    read: readLifetime,
    schema: {
      type: 'integer',
      minimum: 60,
      maximum: MAX_LIFETIME,
      description: 'Lifetime in seconds; default `TOKEN_TTL` (or never).',
    },
  }),
  scopes: custom({
    read: readScopes,
    schema: {
      anyOf: [
        { type: 'array', maxItems: MAX_SCOPES, items: { type: 'string', pattern: SCOPE.source } },
        { type: 'null' },
      ],
      description: 'Restricts the token; null or absent: unrestricted.',
    },
  }),
});

function currentTokenId(auth: Authentication | null): string | undefined {
  const credential = auth?.credential;
  return credential?.kind === 'token' ? credential.id : undefined;
}

export function apiTokenRoutes(config: AuthConfig): RouteDeclaration[] {
  const tokens = config.ROUTE_PREFIX_TOKENS;
  const tag = 'Tokens';
  const manage = {
    authentication: 'default',
    permissions: [IsAuthenticated, IsNotScopedToken],
  } as const;
  return [
    {
      path: `${config.ROUTE_PREFIX_AUTHTOKEN}/`,
      name: 'Obtain Auth Token',
      tag,
      operations: {
        POST: operation({
          summary: "DRF's obtain_auth_token: an opaque token for a username and password",
          authentication: 'default',
          permissions: [AllowAny],
          body: credentials(config),
          responses: {
            200: json('The new token (shown once).', ref('AuthToken')),
            400: VALIDATION_ERROR,
          },
          async handler(c, { body }) {
            const attempt = loginAttempt(c, 'api-token-auth', await body());
            const result = await c.var.edgeauth.services.login.logIn(attempt, {
              kind: 'api-token',
            });
            if (!result.ok) throw refusedLogin(result.refusal);
            return c.json({ token: result.issued.token });
          },
        }),
      },
    },
    {
      path: `${tokens}/logout/`,
      name: 'Token Logout',
      tag,
      operations: {
        POST: operation({
          summary: 'Revoke the token this request authenticated with',
          authentication: ['TokenAuthentication'],
          permissions: [IsAuthenticated],
          responses: { 204: NO_CONTENT },
          async handler(c, { auth }) {
            await c.var.edgeauth.services.apiTokens.revoke(auth.userId, auth.credential.id);
            return c.body(null, 204);
          },
        }),
      },
    },
    {
      path: `${tokens}/logoutall/`,
      name: 'Token Logout All',
      tag,
      operations: {
        POST: operation({
          summary: 'Revoke every opaque token of the user',
          ...manage,
          responses: { 204: NO_CONTENT },
          async handler(c, { auth }) {
            await c.var.edgeauth.services.apiTokens.revokeAll(auth.userId);
            return c.body(null, 204);
          },
        }),
      },
    },
    {
      path: `${tokens}/`,
      name: 'Tokens',
      tag,
      operations: {
        GET: operation({
          summary: 'The user’s opaque tokens (never their secrets)',
          ...manage,
          responses: { 200: json('The tokens.', { type: 'array', items: ref('ApiToken') }) },
          async handler(c, { auth }) {
            const list = await c.var.edgeauth.services.apiTokens.list(auth.userId);
            const current = currentTokenId(auth);
            return c.json(list.map((token) => describeToken(token, current)));
          },
        }),
        POST: operation({
          summary: 'Create a named token, optionally expiring and scoped',
          ...manage,
          body: newToken,
          responses: {
            201: json('The token, with its secret (shown once).', {
              allOf: [
                ref('ApiToken'),
                { type: 'object', properties: { token: { type: 'string' } } },
              ],
            }),
            400: VALIDATION_ERROR,
            403: json('`TOKEN_LIMIT_PER_USER` reached, or not allowed.', ref('Error')),
          },
          async handler(c, { body }) {
            const { name, expires_in: lifetime, scopes } = await body();
            const owner = await loadUser(c);
            const options = { name, lifetime, scopes: scopes ?? null, via: 'api' as const };
            const created = await c.var.edgeauth.services.apiTokens.create(owner, options);
            const { current: _current, ...listed } = describeToken(created.record);
            return c.json({ ...listed, token: created.token }, 201);
          },
        }),
      },
    },
    {
      path: `${tokens}/:id/`,
      name: 'Token',
      tag,
      operations: {
        DELETE: operation({
          summary: 'Revoke one of the user’s tokens',
          ...manage,
          responses: { 204: NO_CONTENT, 404: NOT_FOUND },
          async handler(c, { auth }) {
            const id = c.req.param('id') ?? '';
            const deleted = await c.var.edgeauth.services.apiTokens.revoke(auth.userId, id);
            if (!deleted) throw new ApiError('not_found', 'Not found.');
            return c.body(null, 204);
          },
        }),
      },
    },
  ];
}

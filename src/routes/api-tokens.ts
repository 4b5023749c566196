/**
 * @module routes/api-tokens
 * Opaque tokens over HTTP: DRF's `POST /api-token-auth/` (username and
 * password for `{"token"}`), and knox-style management under
 * `ROUTE_PREFIX_TOKENS`: list, create, revoke one, `logout/` (the token in
 * use) and `logoutall/`. A user only ever sees and revokes their own tokens;
 * another user's token id answers 404, like an id that does not exist.
 */
import type { Context, Hono } from 'hono';
import { authenticate, loadUser } from '../auth/authenticate';
import type { AppEnv } from '../env';
import { AuthError, ValidationError } from '../errors';
import { readData } from '../http/body';
import { endpoint } from '../http/endpoint';
import { IsAuthenticated, IsNotScopedToken, requirePermission } from '../permissions';
import { createApiToken, describeToken } from '../services/api-tokens';
import { Fields } from '../validation/fields';
import { apiTokenDeps, credentialsFromBody } from './deps';

const TOKEN_NAME_MAX_LENGTH = 100;
const MAX_SCOPES = 20;
const SCOPE = /^[A-Za-z0-9:._-]{1,64}$/;
const MAX_LIFETIME = 3650 * 86_400;

async function obtainAuthToken(c: Context<AppEnv>): Promise<Response> {
  const user = await credentialsFromBody(c);
  if (!user) throw ValidationError.nonField('Unable to log in with provided credentials.');
  const { token } = await createApiToken(apiTokenDeps(c), user, {
    name: 'api-token-auth',
    via: 'api-token-auth',
  });
  return c.json({ token });
}

function readLifetime(data: Readonly<Record<string, unknown>>, fields: Fields): number | undefined {
  if (!fields.has('expires_in')) return undefined;
  const raw = data.expires_in;
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    fields.add('expires_in', 'A valid integer is required.');
  } else if (value < 60 || value > MAX_LIFETIME) {
    fields.add('expires_in', `Ensure this value is between 60 and ${MAX_LIFETIME} seconds.`);
  } else {
    return value;
  }
  return undefined;
}

function readScopes(data: Readonly<Record<string, unknown>>, fields: Fields): string[] | null {
  if (!fields.has('scopes') || data.scopes === null) return null;
  const scopes = data.scopes;
  if (!Array.isArray(scopes)) {
    fields.add('scopes', 'Expected a list of items but got type "' + typeof scopes + '".');
    return null;
  }
  if (scopes.length > MAX_SCOPES)
    fields.add('scopes', `Ensure this field has no more than ${MAX_SCOPES} elements.`);
  for (const scope of scopes) {
    if (typeof scope !== 'string' || !SCOPE.test(scope)) {
      fields.add('scopes', 'Each scope is 1 to 64 letters, digits or :._- characters.');
      break;
    }
  }
  return [...new Set(scopes as string[])];
}

async function createToken(c: Context<AppEnv>): Promise<Response> {
  const data = await readData(c);
  const fields = new Fields(data);
  const name = fields.string('name', { maxLength: TOKEN_NAME_MAX_LENGTH });
  const lifetime = readLifetime(data, fields);
  const scopes = readScopes(data, fields);
  fields.check();
  const owner = await loadUser(c);
  const { token, record } = await createApiToken(apiTokenDeps(c), owner, {
    name: name!,
    lifetime,
    scopes,
    via: 'api',
  });
  const { current: _current, ...listed } = describeToken(record);
  return c.json({ ...listed, token }, 201);
}

function currentTokenId(c: Context<AppEnv>): string | undefined {
  const credential = c.var.auth?.credential;
  return credential?.kind === 'token' ? credential.id : undefined;
}

async function listTokens(c: Context<AppEnv>): Promise<Response> {
  const tokens = await c.var.edgeauth.stores.apiTokens.listForUser(c.var.auth!.userId);
  const current = currentTokenId(c);
  return c.json(tokens.map((token) => describeToken(token, current)));
}

async function revokeToken(c: Context<AppEnv>): Promise<Response> {
  const id = c.req.param('id') ?? '';
  const deleted = await c.var.edgeauth.stores.apiTokens.delete(c.var.auth!.userId, id);
  if (!deleted) throw new AuthError('not_found', 'Not found.');
  return c.body(null, 204);
}

async function logout(c: Context<AppEnv>): Promise<Response> {
  const id = currentTokenId(c);
  if (id === undefined) throw new Error('logout/ runs only TokenAuthentication');
  await c.var.edgeauth.stores.apiTokens.delete(c.var.auth!.userId, id);
  return c.body(null, 204);
}

async function logoutAll(c: Context<AppEnv>): Promise<Response> {
  await c.var.edgeauth.stores.apiTokens.deleteAllForUser(c.var.auth!.userId);
  return c.body(null, 204);
}

export function apiTokenRoutes(app: Hono<AppEnv>, prefixes: { authtoken: string; tokens: string }) {
  const { tokens } = prefixes;
  const manage = [authenticate(), requirePermission(IsAuthenticated, IsNotScopedToken)] as const;
  app.all(
    prefixes.authtoken,
    authenticate(),
    endpoint({ name: 'Obtain Auth Token' }, { POST: obtainAuthToken }),
  );
  app.all(
    `${tokens}/logout`,
    authenticate({ classes: ['TokenAuthentication'] }),
    requirePermission(IsAuthenticated),
    endpoint({ name: 'Token Logout' }, { POST: logout }),
  );
  app.all(
    `${tokens}/logoutall`,
    ...manage,
    endpoint({ name: 'Token Logout All' }, { POST: logoutAll }),
  );
  app.all(tokens, ...manage, endpoint({ name: 'Tokens' }, { GET: listTokens, POST: createToken }));
  app.all(`${tokens}/:id`, ...manage, endpoint({ name: 'Token' }, { DELETE: revokeToken }));
}

/**
 * @module routes/users
 * `POST <ROUTE_PREFIX_AUTH>/register/` and `GET, PATCH <ROUTE_PREFIX_ME>/`:
 * dj-rest-auth's `registration/` and `user/`.
 */
import type { Context, Hono } from 'hono';
import { authenticate, loadUser } from '../auth/authenticate';
import type { AppEnv } from '../env';
import { permissionDenied } from '../errors';
import { readData } from '../http/body';
import { endpoint } from '../http/endpoint';
import {
  AllowAny,
  IsAuthenticated,
  IsNotScopedTokenOrReadOnly,
  requirePermission,
} from '../permissions';
import { publicUser, registerUser, updateProfile } from '../services/users';
import { Fields } from '../validation/fields';
import { userDeps } from './deps';
import { EMAIL_MAX_LENGTH } from '../validation/username';

/**
 * Registration takes dj-rest-auth's `password1` + `password2`, or a single
 * `password` for clients that do not ask twice.
 */
async function register(c: Context<AppEnv>): Promise<Response> {
  const { config } = c.var.edgeauth;
  if (!config.REGISTRATION_OPEN) throw permissionDenied('Registration is closed.');
  const fields = new Fields(await readData(c));
  // No maxLength here: the length counts after NFKC normalisation (registerUser).
  const username = fields.string('username');
  const email = fields.string('email', {
    required: false,
    allowBlank: true,
    maxLength: EMAIL_MAX_LENGTH,
  });
  const passwordOptions = { trim: false, maxLength: config.PASSWORD_MAX_LENGTH };
  let password: string | undefined;
  if (fields.has('password1') || fields.has('password2') || !fields.has('password')) {
    password = fields.string('password1', passwordOptions);
    const confirmation = fields.string('password2', passwordOptions);
    fields.check();
    if (password !== confirmation)
      fields.add('non_field_errors', "The two password fields didn't match.");
  } else {
    password = fields.string('password', passwordOptions);
  }
  fields.check();
  const user = await registerUser(userDeps(c), {
    username: username!,
    email: email ?? '',
    password: password!,
  });
  return c.json(publicUser(user), 201);
}

async function showMe(c: Context<AppEnv>): Promise<Response> {
  return c.json(publicUser(await loadUser(c)));
}

async function updateMe(c: Context<AppEnv>): Promise<Response> {
  const fields = new Fields(await readData(c));
  // Length checked after NFKC normalisation, in updateProfile.
  const username = fields.string('username', { required: false });
  const email = fields.string('email', {
    required: false,
    allowBlank: true,
    maxLength: EMAIL_MAX_LENGTH,
  });
  fields.check();
  const user = await loadUser(c);
  const changes: { username?: string; email?: string } = {};
  if (username !== undefined) changes.username = username;
  if (email !== undefined) changes.email = email;
  return c.json(publicUser(await updateProfile(userDeps(c), user, changes)));
}

export function userRoutes(app: Hono<AppEnv>, prefixes: { auth: string; me: string }): void {
  app.all(
    `${prefixes.auth}/register`,
    authenticate(),
    requirePermission(AllowAny),
    endpoint({ name: 'Register' }, { POST: register }),
  );
  app.all(
    prefixes.me,
    authenticate(),
    requirePermission(IsAuthenticated, IsNotScopedTokenOrReadOnly),
    endpoint({ name: 'Me' }, { GET: showMe, PATCH: updateMe }),
  );
}

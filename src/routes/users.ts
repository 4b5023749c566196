/**
 * @module routes/users
 * `POST <ROUTE_PREFIX_AUTH>/register/` and `GET, PATCH <ROUTE_PREFIX_ME>/`:
 * dj-rest-auth's `registration/` and `user/`.
 */
import { loadUser } from '../auth/authenticate';
import type { AuthConfig } from '../config';
import { permissionDenied } from '../errors';
import { AllowAny, IsAuthenticated, IsNotScopedTokenOrReadOnly } from '../permissions';
import { publicUser } from '../services/users';
import type { Fields } from '../validation/fields';
import { body, custom, string } from '../validation/schema';
import { EMAIL_MAX_LENGTH } from '../validation/username';
import { operation, type RouteDeclaration } from './declare';
import { VALIDATION_ERROR, json, ref } from './responses';

/** dj-rest-auth's `password1` + `password2`, unless the body has only `password`. */
function twoFields(fields: Fields): boolean {
  return fields.has('password1') || fields.has('password2') || !fields.has('password');
}

/**
 * Registration takes dj-rest-auth's `password1` + `password2`, or a single
 * `password` for clients that do not ask twice.
 */
function registration(config: AuthConfig) {
  const password = {
    trim: false,
    maxLength: config.PASSWORD_MAX_LENGTH,
    format: 'password',
  } as const;
  const passwordSchema = string(password).schema;
  return body(
    {
      // No maxLength here: the length counts after NFKC normalisation (services/users).
      username: string({ description: 'Letters, digits and @.+-_ only; case-insensitive.' }),
      email: string({
        required: false,
        allowBlank: true,
        maxLength: EMAIL_MAX_LENGTH,
        format: 'email',
      }),
      password1: custom({
        schema: passwordSchema,
        read: (fields, name) => (twoFields(fields) ? fields.string(name, password) : undefined),
      }),
      password2: custom({
        schema: { ...passwordSchema, description: 'password1 again.' },
        read: (fields, name) => (twoFields(fields) ? fields.string(name, password) : undefined),
      }),
      password: custom({
        schema: { ...passwordSchema, description: 'Instead of password1 and password2.' },
        read: (fields, name) => (twoFields(fields) ? undefined : fields.string(name, password)),
      }),
    },
    {
      schema: { oneOf: [{ required: ['password1', 'password2'] }, { required: ['password'] }] },
      refine(value, fields) {
        if (value.password1 !== undefined && value.password1 !== value.password2) {
          fields.add('non_field_errors', "The two password fields didn't match.");
        }
        return value;
      },
    },
  );
}

const profileChanges = body({
  // Length checked after NFKC normalisation, in services/users.
  username: string({ required: false }),
  email: string({
    required: false,
    allowBlank: true,
    maxLength: EMAIL_MAX_LENGTH,
    format: 'email',
  }),
});

export function userRoutes(config: AuthConfig): RouteDeclaration[] {
  const me = {
    authentication: 'default',
    permissions: [IsAuthenticated, IsNotScopedTokenOrReadOnly],
  } as const;
  return [
    {
      path: `${config.ROUTE_PREFIX_AUTH}/register/`,
      name: 'Register',
      tag: 'Accounts',
      operations: {
        POST: operation({
          summary: 'Create an account (dj-rest-auth registration/)',
          description: "Django's username, email and password validation.",
          authentication: 'default',
          permissions: [AllowAny],
          body: registration(config),
          responses: {
            201: json('The new account.', ref('User')),
            400: VALIDATION_ERROR,
            403: json('Registration is closed (`REGISTRATION_OPEN`).', ref('Error')),
          },
          async handler(c, { body }) {
            if (!config.REGISTRATION_OPEN) throw permissionDenied('Registration is closed.');
            const input = await body();
            const user = await c.var.edgeauth.services.users.register({
              username: input.username,
              email: input.email ?? '',
              password: (input.password1 ?? input.password)!,
            });
            return c.json(publicUser(user), 201);
          },
        }),
      },
    },
    {
      path: `${config.ROUTE_PREFIX_ME}/`,
      name: 'Me',
      tag: 'Accounts',
      operations: {
        GET: operation({
          summary: 'The authenticated account (dj-rest-auth user/)',
          ...me,
          responses: { 200: json('The account.', ref('User')) },
          async handler(c) {
            return c.json(publicUser(await loadUser(c)));
          },
        }),
        PATCH: operation({
          summary: 'Change the username or email',
          ...me,
          body: profileChanges,
          responses: { 200: json('The changed account.', ref('User')), 400: VALIDATION_ERROR },
          async handler(c, { body }) {
            const { username, email } = await body();
            const user = await loadUser(c);
            const changes: { username?: string; email?: string } = {};
            if (username !== undefined) changes.username = username;
            if (email !== undefined) changes.email = email;
            const updated = await c.var.edgeauth.services.users.updateProfile(user, changes);
            return c.json(publicUser(updated));
          },
        }),
      },
    },
  ];
}

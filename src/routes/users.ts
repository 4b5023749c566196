/**
 * @module routes/users
 * `POST <ROUTE_PREFIX_AUTH>/register/` and `GET, PATCH <ROUTE_PREFIX_ME>/`:
 * dj-rest-auth's `registration/` and `user/`; `DELETE <ROUTE_PREFIX_ME>/`
 * deletes the account, given its password. The mails they cause
 * (verification, email change) go out after the response.
 */
import { loadUser } from '../auth/authenticate';
import { expireSessionCookie } from '../auth/session';
import type { AuthConfig } from '../config';
import { permissionDenied } from '../errors';
import { clientDetails } from '../http/client';
import { defer } from '../http/defer';
import { AllowAny, IsAuthenticated, IsNotScopedTokenOrReadOnly } from '../permissions';
import { publicUser, type ProfileChanges } from '../services/users';
import type { Fields } from '../validation/fields';
import { body, custom, string } from '../validation/schema';
import { EMAIL_MAX_LENGTH } from '../validation/username';
import { operation, type RouteDeclaration } from './declare';
import { mailContext } from './email-verification';
import { clearJwtCookies } from './jwt-cookies';
import { NO_CONTENT, VALIDATION_ERROR, json, ref } from './responses';

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
  const mandatory = config.ACCOUNT_EMAIL_VERIFICATION === 'mandatory';
  return body(
    {
      // No maxLength here: the length counts after NFKC normalisation (services/users).
      username: string({ description: 'Letters, digits and @.+-_ only; case-insensitive.' }),
      // allauth: mandatory verification needs an address (`EMAIL_REQUIRED`).
      email: string({
        required: mandatory,
        allowBlank: !mandatory,
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

/**
 * Password fields a PATCH might carry. DRF ignores unknown fields, but a
 * password that is silently not changed is a trap: each one present is a
 * field error naming the route that changes it, and nothing is changed.
 */
const PASSWORD_FIELDS = [
  'password',
  'password1',
  'password2',
  'old_password',
  'new_password1',
  'new_password2',
];

function profileChanges(config: AuthConfig) {
  const refusal = `Use ${config.ROUTE_PREFIX_AUTH}/password/change/ to change the password.`;
  return body({
    // Length checked after NFKC normalisation, in services/users.
    username: string({ required: false }),
    // With verification on, a new address must be confirmed, so it cannot be blank.
    email: string({
      required: false,
      allowBlank: config.ACCOUNT_EMAIL_VERIFICATION === 'none',
      maxLength: EMAIL_MAX_LENGTH,
      format: 'email',
    }),
    password: custom({
      schema: { not: {}, description: `Refused (400): ${refusal}` },
      read(fields) {
        for (const name of PASSWORD_FIELDS) if (fields.has(name)) fields.add(name, refusal);
        return undefined;
      },
    }),
  });
}

/** The account's password, to delete it. */
function deletion(config: AuthConfig) {
  return body({
    password: string({
      trim: false,
      maxLength: config.PASSWORD_MAX_LENGTH,
      format: 'password',
      description: 'The account’s current password.',
    }),
  });
}

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
          description:
            "Django's username, email and password validation. With `ACCOUNT_EMAIL_VERIFICATION` " +
            'on, a verification mail goes to the address after the response.',
          authentication: 'default',
          permissions: [AllowAny],
          body: registration(config),
          responses: {
            201: json('The new account.', ref('User')),
            400: VALIDATION_ERROR,
            403: json('Registration is closed (`REGISTRATION_OPEN`).', ref('Error')),
            503: json('Verification needs mail, and no backend is configured.', ref('Error')),
          },
          async handler(c, { body }) {
            if (!config.REGISTRATION_OPEN) throw permissionDenied('Registration is closed.');
            const input = await body();
            const { users, emails } = c.var.edgeauth.services;
            const user = await users.register({
              username: input.username,
              email: input.email ?? '',
              password: (input.password1 ?? input.password)!,
            });
            const mail = emails.afterRegistration(user, mailContext(c));
            if (mail) await defer(c, 'verification mail', mail);
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
          description:
            `Not the password: a password field is a 400 (see ${config.ROUTE_PREFIX_AUTH}/password/change/). ` +
            'With `ACCOUNT_EMAIL_VERIFICATION` on, a new email is confirmed through a mail ' +
            'to it first, and the answer still shows the old one; the old address is told ' +
            'of every change.',
          ...me,
          body: profileChanges(config),
          responses: {
            200: json('The changed account.', ref('User')),
            400: VALIDATION_ERROR,
            503: json('An email change needs mail, and no backend is configured.', ref('Error')),
          },
          async handler(c, { body }) {
            const { username, email } = await body();
            const user = await loadUser(c);
            const changes: ProfileChanges = {};
            if (username !== undefined) changes.username = username;
            if (email !== undefined) changes.email = email;
            const { users } = c.var.edgeauth.services;
            const update = await users.updateProfile(user, changes, mailContext(c));
            if (update.after) await defer(c, 'email change mail', update.after);
            return c.json(publicUser(update.user));
          },
        }),
        DELETE: operation({
          summary: 'Delete the account, given its password',
          description:
            'Every credential is revoked and the account deleted; the session and JWT cookies are cleared. A scoped token cannot.',
          ...me,
          body: deletion(config),
          responses: {
            204: NO_CONTENT,
            400: VALIDATION_ERROR,
            403: json('A scoped token, or a failed CSRF check.', ref('Error')),
          },
          async handler(c, { auth, body }) {
            const { password } = await body();
            const user = await loadUser(c);
            const { accounts, audit } = c.var.edgeauth.services;
            await accounts.deleteOwn(user, password);
            const event = { type: 'account_deleted', userId: user.id, credential: auth.method };
            const client = clientDetails(c);
            await defer(c, 'account_deleted event', () => audit.record({ ...event, ...client }));
            expireSessionCookie(c, config);
            clearJwtCookies(c, config);
            return c.body(null, 204);
          },
        }),
      },
    },
  ];
}

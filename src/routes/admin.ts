/**
 * @module routes/admin
 * The admin API under `ROUTE_PREFIX_ADMIN` (`IsAdminUser`; never with a
 * scoped token): `users/` (DRF search and page-number pagination),
 * `users/{id}/` (read, change `is_active` / `is_staff` / `email`, delete) and
 * `users/{id}/revoke-credentials/`. Who may do what to whom is the admin
 * service's (`services/admin.ts`); the events are recorded after the
 * response, with the acting admin's id in their detail.
 */
import type { Context } from 'hono';
import { loadUser } from '../auth/authenticate';
import type { Authentication } from '../auth/types';
import type { AuthConfig } from '../config';
import type { AppEnv } from '../env';
import { ApiError } from '../errors';
import { clientDetails } from '../http/client';
import { defer } from '../http/defer';
import { paginate } from '../http/pagination';
import { IsAdminUser, IsAuthenticated, IsNotScopedToken } from '../permissions';
import {
  ADMIN_MESSAGES,
  adminUser,
  searchTerms,
  type AdminAction,
  type AdminUpdate,
  type AdminUserChanges,
} from '../services/admin';
import { boolean } from '../validation/boolean';
import { body, custom, string } from '../validation/schema';
import { EMAIL_INVALID, EMAIL_MAX_LENGTH, isValidEmail } from '../validation/username';
import { operation, type RouteDeclaration } from './declare';
import { NOT_FOUND, NO_CONTENT, VALIDATION_ERROR, json, ref } from './responses';

const emailField = string({
  required: false,
  allowBlank: true,
  maxLength: EMAIL_MAX_LENGTH,
  format: 'email',
});

const changesSchema = body({
  is_active: boolean({
    description: 'false deactivates the account and revokes every credential it holds.',
  }),
  is_staff: boolean({ description: 'Superusers only.' }),
  email: custom({
    schema: {
      ...emailField.schema,
      description: 'Set as given (unverified); the old address is told.',
    },
    // DRF's EmailField: the format is checked with the other fields, so every error comes at once.
    read(fields, name, data) {
      const email = emailField.read(fields, name, data);
      if (email !== undefined && email !== '' && !isValidEmail(email)) {
        fields.add(name, EMAIL_INVALID);
        return undefined;
      }
      return email;
    },
  }),
});

/** A path id: digits naming a safe integer; anything else is a 404, like an unknown id. */
function pathId(c: Context<AppEnv>): number {
  const raw = c.req.param('id') ?? '';
  const id = /^[0-9]{1,16}$/.test(raw) ? Number(raw) : 0;
  if (id < 1 || !Number.isSafeInteger(id)) throw new ApiError('not_found', 'Not found.');
  return id;
}

/** The acting admin and the account the path names, after the rules for `action`. */
async function resolve(c: Context<AppEnv>, action: AdminAction) {
  const id = pathId(c);
  const actor = await loadUser(c);
  const target = await c.var.edgeauth.services.admin.target(actor, id, action);
  return { actor, target };
}

/** Records an admin event after the response, naming the acting admin. */
function record(
  c: Context<AppEnv>,
  auth: Authentication,
  type: string,
  userId: number,
  detail: Record<string, unknown> = {},
): Promise<void> {
  const { audit } = c.var.edgeauth.services;
  const { ip, userAgent } = clientDetails(c);
  const event = {
    type,
    userId,
    ip,
    userAgent,
    credential: auth.method,
    detail: { admin_id: auth.userId, ...detail },
  };
  return defer(c, `security event ${type}`, () => audit.record(event));
}

/** The events and the mail of a change, after the response. */
async function afterUpdate(c: Context<AppEnv>, auth: Authentication, outcome: AdminUpdate) {
  const { user, changed, deactivated, notice } = outcome;
  if (notice) {
    await defer(c, 'email change notice', () => c.var.edgeauth.services.mail.send(notice, user.id));
  }
  if (changed.length > 0) {
    // Field names and the new flags; never an address.
    const flags = {
      ...(changed.includes('is_active') ? { is_active: user.isActive } : {}),
      ...(changed.includes('is_staff') ? { is_staff: user.isStaff } : {}),
    };
    await record(c, auth, 'admin_user_updated', user.id, { fields: changed, ...flags });
  }
  if (deactivated) await record(c, auth, 'admin_user_deactivated', user.id);
}

function changesOf(input: { is_active?: boolean; is_staff?: boolean; email?: string }) {
  const changes: AdminUserChanges = {};
  if (input.is_active !== undefined) changes.isActive = input.is_active;
  if (input.is_staff !== undefined) changes.isStaff = input.is_staff;
  if (input.email !== undefined) changes.email = input.email;
  return changes;
}

const FORBIDDEN = json(
  `Not staff, a scoped token, or a rule refuses: "${ADMIN_MESSAGES.privileged}"`,
  ref('Error'),
);

export function adminRoutes(config: AuthConfig): RouteDeclaration[] {
  const prefix = config.ROUTE_PREFIX_ADMIN;
  const tag = 'Administration';
  const admin = {
    authentication: 'default',
    permissions: [IsAuthenticated, IsAdminUser, IsNotScopedToken],
  } as const;
  return [
    {
      path: `${prefix}/users/`,
      name: 'Admin User List',
      tag,
      operations: {
        GET: operation({
          summary: 'Every account, by id, a page at a time',
          description:
            '`?search=`: DRF `SearchFilter` terms, each found in the username or the email ' +
            '(case-insensitive). `?page=`: a number or `last` (DRF `PageNumberPagination`, ' +
            '`PAGE_SIZE` per page); an invalid page is a 404 `Invalid page.`',
          ...admin,
          responses: { 200: json('One page.', ref('AdminUserPage')), 404: NOT_FOUND },
          async handler(c) {
            const { admin: service } = c.var.edgeauth.services;
            // The last value, decoded as `?page=` is (URLSearchParams: `+` is a space).
            const search = new URL(c.req.url).searchParams.getAll('search').at(-1);
            const terms = searchTerms(search ?? '');
            const page = await paginate(c, config.PAGE_SIZE, {
              count: () => service.count(terms),
              async slice(limit, offset) {
                const { count, users } = await service.list(terms, limit, offset);
                return { count, items: users.map(adminUser) };
              },
            });
            return c.json(page);
          },
        }),
      },
    },
    {
      path: `${prefix}/users/:id/`,
      name: 'Admin User',
      tag,
      operations: {
        GET: operation({
          summary: 'One account',
          ...admin,
          responses: { 200: json('The account.', ref('AdminUser')), 404: NOT_FOUND },
          async handler(c) {
            const { target } = await resolve(c, 'read');
            return c.json(adminUser(target));
          },
        }),
        PATCH: operation({
          summary: 'Change is_active, is_staff or email',
          description:
            'Deactivation revokes every credential at once; reactivation only sets the flag. ' +
            'An email change is mailed to the old address. Only a superuser changes is_staff ' +
            'or a staff or superuser account; nobody deactivates or un-staffs themselves.',
          ...admin,
          body: changesSchema,
          responses: {
            200: json('The changed account.', ref('AdminUser')),
            400: VALIDATION_ERROR,
            403: FORBIDDEN,
            404: NOT_FOUND,
          },
          async handler(c, { auth, body }) {
            const { actor, target } = await resolve(c, 'change');
            const changes = changesOf(await body());
            const outcome = await c.var.edgeauth.services.admin.update(actor, target, changes);
            await afterUpdate(c, auth, outcome);
            return c.json(adminUser(outcome.user));
          },
        }),
        DELETE: operation({
          summary: 'Delete the account, after revoking every credential it holds',
          ...admin,
          responses: { 204: NO_CONTENT, 403: FORBIDDEN, 404: NOT_FOUND },
          async handler(c, { auth }) {
            const { target } = await resolve(c, 'delete');
            await c.var.edgeauth.services.admin.delete(target);
            await record(c, auth, 'admin_user_deleted', target.id, { username: target.username });
            return c.body(null, 204);
          },
        }),
      },
    },
    {
      path: `${prefix}/users/:id/revoke-credentials/`,
      name: 'Admin User Revoke Credentials',
      tag,
      operations: {
        POST: operation({
          summary: 'Revoke every JWT, opaque token and session of the account',
          ...admin,
          responses: {
            200: json('Every credential revoked.', ref('Detail')),
            403: FORBIDDEN,
            404: NOT_FOUND,
          },
          async handler(c, { auth }) {
            const { target } = await resolve(c, 'revoke');
            await c.var.edgeauth.services.admin.revokeCredentials(target);
            await record(c, auth, 'admin_credentials_revoked', target.id);
            return c.json({ detail: 'Every credential of the user was revoked.' });
          },
        }),
      },
    },
  ];
}

/**
 * Who may do what to whom in the admin API: the staff / superuser matrix,
 * the rules about one's own account, then `POST .../revoke-credentials/` and
 * `DELETE /api/admin/users/{id}/` with their events and storage outages.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  UNAVAILABLE,
  bearer,
  call,
  expectJson,
  makeApp,
  makeUser,
  me,
  obtainPair,
  postJson,
  tokenHeader,
} from './helpers';
import {
  ADMIN,
  NOT_FOUND,
  adminGet,
  deleteUser,
  denied,
  eventsOf,
  makeStaff,
  makeSuperuser,
  patchUser,
  revokeCredentials,
  type Admin,
} from './helpers/admin';
import { jsonLogin } from './helpers/browser';
import { d1ThatCannotWrite } from './helpers/storage';
import { ADMIN_MESSAGES } from '../src/services/admin';

// Development: an email change mails the old address through the outbox.
const app = makeApp({ settings: { ENVIRONMENT: 'development' } });
let root: Admin;
let staff: Admin;

beforeAll(async () => {
  root = await makeSuperuser(app);
  staff = await makeStaff(app, root);
});

type Kind = 'user' | 'staff' | 'superuser';
type Action = 'email' | 'deactivate' | 'grant staff' | 'revoke' | 'delete';

async function makeTarget(kind: Kind) {
  if (kind === 'superuser') return makeSuperuser(app);
  if (kind === 'staff') return makeStaff(app, root);
  return makeUser(app);
}

function act(by: Admin, action: Action, target: { id: number; email: string }) {
  if (action === 'email') return patchUser(app, by, target.id, { email: `x.${target.email}` });
  if (action === 'deactivate') return patchUser(app, by, target.id, { is_active: false });
  if (action === 'grant staff') return patchUser(app, by, target.id, { is_staff: true });
  if (action === 'revoke') return revokeCredentials(app, by, target.id);
  return deleteUser(app, by, target.id);
}

const OK: Record<Action, number> = {
  email: 200,
  deactivate: 200,
  'grant staff': 200,
  revoke: 200,
  delete: 204,
};

const ACTIONS: Action[] = ['email', 'deactivate', 'grant staff', 'revoke', 'delete'];

describe('a superuser', () => {
  it.each(
    (['user', 'staff', 'superuser'] as Kind[]).flatMap((kind) =>
      ACTIONS.map((action) => [action, kind] as const),
    ),
  )('may %s of another %s', async (action, kind) => {
    const target = await makeTarget(kind);
    expect((await act(root, action, target)).status).toBe(OK[action]);
  });
});

describe('a staff user who is not a superuser', () => {
  it.each(ACTIONS.filter((action) => action !== 'grant staff'))(
    'may %s of a user who is not staff',
    async (action) => {
      const target = await makeUser(app);
      expect((await act(staff, action, target)).status).toBe(OK[action]);
    },
  );

  it('may not change is_staff of anyone, but may send it unchanged', async () => {
    const target = await makeUser(app);
    await expectJson(
      await act(staff, 'grant staff', target),
      403,
      denied(ADMIN_MESSAGES.staffFlag),
    );
    const unchanged = await patchUser(app, staff, target.id, { is_staff: false, is_active: true });
    expect(unchanged.status).toBe(200);
  });

  it.each(
    (['staff', 'superuser'] as Kind[]).flatMap((kind) =>
      ACTIONS.map((action) => [action, kind] as const),
    ),
  )('may not %s of a %s: 403, and nothing changes', async (action, kind) => {
    const target = await makeTarget(kind);
    const before = await (await adminGet(app, root.headers, `/users/${target.id}/`)).json();
    await expectJson(await act(staff, action, target), 403, denied(ADMIN_MESSAGES.privileged));
    expect(await (await adminGet(app, root.headers, `/users/${target.id}/`)).json()).toEqual(
      before,
    );
    expect(await eventsOf(target.id)).not.toContainEqual(
      expect.objectContaining({ detail: expect.objectContaining({ admin_id: staff.id }) }),
    );
  });

  it('may read a superuser’s account', async () => {
    expect((await adminGet(app, staff.headers, `/users/${root.id}/`)).status).toBe(200);
  });

  it('answers 404 before any rule for an account that does not exist', async () => {
    await expectJson(
      await act(staff, 'deactivate', { id: 999_999_999, email: '' }),
      404,
      NOT_FOUND,
    );
  });
});

describe('one’s own account', () => {
  it.each<[string, unknown, string]>([
    ['remove their own staff flag', { is_staff: false }, ADMIN_MESSAGES.ownStaff],
    ['deactivate themselves', { is_active: 'false' }, ADMIN_MESSAGES.ownDeactivation],
  ])('a superuser cannot %s', async (_, fields, detail) => {
    const admin = await makeSuperuser(app);
    await expectJson(await patchUser(app, admin, admin.id, fields), 403, denied(detail));
    expect(await (await adminGet(app, admin.headers, `/users/${admin.id}/`)).json()).toMatchObject({
      is_staff: true,
      is_active: true,
    });
  });

  it.each([
    ['a superuser', () => makeSuperuser(app)],
    ['a staff user', () => makeStaff(app, root)],
  ])('%s cannot delete themselves through the admin API', async (_, make) => {
    const admin = await make();
    await expectJson(
      await deleteUser(app, admin, admin.id),
      403,
      denied(ADMIN_MESSAGES.ownDeletion),
    );
    expect((await me(app, admin.headers)).status).toBe(200);
  });

  it('a superuser may change their own email and revoke their own credentials', async () => {
    const admin = await makeSuperuser(app);
    const res = await patchUser(app, admin, admin.id, {
      email: `y.${admin.email}`,
      is_staff: true,
    });
    expect(await res.json()).toMatchObject({ email: `y.${admin.email}`, is_staff: true });
    expect((await revokeCredentials(app, admin, admin.id)).status).toBe(200);
    expect((await me(app, admin.headers)).status).toBe(401);
  });
});

describe('POST /api/admin/users/{id}/revoke-credentials/', () => {
  it('ends every credential the user holds; the account stays active and can log in again', async () => {
    const user = await makeUser(app);
    const pair = await obtainPair(app, user);
    const issued = await postJson(app, '/api-token-auth/', user);
    const { token } = (await issued.json()) as { token: string };
    const { jar } = await jsonLogin(app, user);

    const res = await revokeCredentials(app, root, user.id);
    await expectJson(res, 200, { detail: 'Every credential of the user was revoked.' });

    for (const credential of [bearer(pair.access), tokenHeader(token), jar]) {
      expect((await me(app, credential)).status).toBe(401);
    }
    expect(await (await adminGet(app, root.headers, `/users/${user.id}/`)).json()).toMatchObject({
      is_active: true,
    });
    expect(await eventsOf(user.id)).toEqual([
      { type: 'admin_credentials_revoked', credential: 'jwt', detail: { admin_id: root.id } },
    ]);
  });

  it('answers 404 for an unknown or malformed id, and 405 to GET', async () => {
    await expectJson(await revokeCredentials(app, root, 999_999_999), 404, NOT_FOUND);
    await expectJson(await revokeCredentials(app, root, 'me'), 404, NOT_FOUND);
    const res = await adminGet(app, root.headers, `/users/${root.id}/revoke-credentials/`);
    await expectJson(res, 405, { detail: 'Method "GET" not allowed.', code: 'method_not_allowed' });
    expect(res.headers.get('Allow')).toBe('POST, OPTIONS');
  });
});

describe('DELETE /api/admin/users/{id}/', () => {
  it('deletes the account after ending every credential it holds', async () => {
    const user = await makeUser(app);
    const pair = await obtainPair(app, user);
    const issued = await postJson(app, '/api-token-auth/', user);
    const { token } = (await issued.json()) as { token: string };
    const { jar } = await jsonLogin(app, user);

    const res = await deleteUser(app, root, user.id);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');

    for (const credential of [bearer(pair.access), tokenHeader(token), jar]) {
      expect((await me(app, credential)).status).toBe(401);
    }
    expect((await postJson(app, '/api/token/refresh/', { refresh: pair.refresh })).status).toBe(
      401,
    );
    await expectJson(await adminGet(app, root.headers, `/users/${user.id}/`), 404, NOT_FOUND);
    await expectJson(await deleteUser(app, root, user.id), 404, NOT_FOUND);
    expect(await eventsOf(user.id)).toEqual([
      {
        type: 'admin_user_deleted',
        credential: 'jwt',
        detail: { admin_id: root.id, username: user.username },
      },
    ]);
  });

  it('frees the username: it can be registered again, as a new account', async () => {
    const user = await makeUser(app);
    await deleteUser(app, root, user.id);
    const again = await makeUser(app, { username: user.username });
    expect(again.id).toBeGreaterThan(user.id);
  });

  it('answers 503 and deletes nothing when D1 cannot write', async () => {
    const user = await makeUser(app);
    const broken = makeApp({ bindings: { DB: d1ThatCannotWrite() } });
    await expectJson(await deleteUser(broken, root, user.id), 503, UNAVAILABLE);
    expect((await adminGet(app, root.headers, `/users/${user.id}/`)).status).toBe(200);
  });

  it('answers 404 for a malformed id', async () => {
    const res = await call(app, `${ADMIN}/users/1%2F/`, {
      method: 'DELETE',
      headers: root.headers,
    });
    expect(res.status).toBe(404);
  });
});

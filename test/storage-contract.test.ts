import { env } from 'cloudflare:test';
import { drizzle } from 'drizzle-orm/d1';
import { describe, expect, it } from 'vitest';
import { StorageUnavailableError } from '../src/errors';
import { d1UserStore } from '../src/storage/d1/users';
import { UsernameTakenError, type UserStore } from '../src/storage/types';
import { uniqueName, unreachableD1 } from './helpers';

/** The behaviour every UserStore must have; run against each implementation. */
function userStoreContract(name: string, makeStore: () => UserStore, makeBroken: () => UserStore) {
  describe(`UserStore: ${name}`, () => {
    const store = makeStore();
    const newUser = (username = uniqueName()) => ({
      username,
      email: `${username}@example.com`,
      passwordHash: '$argon2id$x',
    });

    it('creates active, unprivileged users with the given time', async () => {
      const user = await store.create(newUser(), 1_700_000_000_000);
      expect(user).toMatchObject({
        isActive: true,
        isStaff: false,
        isSuperuser: false,
        dateJoined: 1_700_000_000_000,
        lastLogin: null,
        credentialsChangedAt: null,
      });
      expect(await store.findById(user.id)).toEqual(user);
    });

    it('finds users by username case-insensitively', async () => {
      const user = await store.create(newUser(uniqueName('CamelCase')), Date.now());
      expect((await store.findByUsername(user.username.toLowerCase()))?.id).toBe(user.id);
      expect((await store.findByUsername(user.username.toUpperCase()))?.id).toBe(user.id);
      expect(await store.findByUsername(uniqueName('missing'))).toBeNull();
      expect(await store.findById(987654321)).toBeNull();
    });

    it('refuses a second user with the same username in another case', async () => {
      const username = uniqueName('Unique');
      await store.create(newUser(username), Date.now());
      await expect(
        store.create(newUser(username.toUpperCase()), Date.now()),
      ).rejects.toBeInstanceOf(UsernameTakenError);
    });

    it('updates the profile and refuses a taken username', async () => {
      const first = await store.create(newUser(), Date.now());
      const second = await store.create(newUser(), Date.now());
      const renamed = uniqueName('renamed');
      expect(
        await store.updateProfile(first.id, { username: renamed, email: 'x@example.org' }),
      ).toMatchObject({
        username: renamed,
        email: 'x@example.org',
      });
      await expect(store.updateProfile(second.id, { username: renamed })).rejects.toBeInstanceOf(
        UsernameTakenError,
      );
      expect(await store.updateProfile(987654321, { email: 'y@example.org' })).toBeNull();
    });

    it('records logins and replaced hashes', async () => {
      const user = await store.create(newUser(), Date.now());
      await store.recordLogin(user.id, 1_800_000_000_000);
      await store.replacePasswordHash(user.id, '$argon2id$new');
      expect(await store.findById(user.id)).toMatchObject({
        lastLogin: 1_800_000_000_000,
        passwordHash: '$argon2id$new',
        credentialsChangedAt: null,
      });
    });

    it('changes a password only from the expected hash, moving the revoked-before moment', async () => {
      const user = await store.create(newUser(), Date.now());
      const change = { from: '$argon2id$x', to: '$argon2id$changed', at: 1_900_000_000_000 };
      expect(await store.changePassword(user.id, { ...change, from: '$argon2id$other' })).toBe(
        false,
      );
      expect(await store.changePassword(user.id, change)).toBe(true);
      expect(await store.changePassword(user.id, change)).toBe(false);
      expect(await store.findById(user.id)).toMatchObject({
        passwordHash: '$argon2id$changed',
        credentialsChangedAt: 1_900_000_000_000,
      });
      expect(await store.changePassword(987654321, change)).toBe(false);
    });

    it('deletes an account once', async () => {
      const user = await store.create(newUser(), Date.now());
      expect(await store.delete(user.id)).toBe(true);
      expect(await store.findById(user.id)).toBeNull();
      expect(await store.findByUsername(user.username)).toBeNull();
      expect(await store.delete(user.id)).toBe(false);
    });

    // --- Administration (the admin API) ---
    it('lists by id with the matching count, searching every term in username or email', async () => {
      const base = uniqueName('Listed');
      const users = [];
      for (const suffix of ['a', 'b', 'c'])
        users.push(await store.create(newUser(`${base}${suffix}`), 1));
      const search = [base.toUpperCase()];
      expect(await store.count(search)).toBe(3);
      const page = await store.list({ search, limit: 2, offset: 1 });
      expect(page.count).toBe(3);
      expect(page.users.map((user) => user.id)).toEqual([users[1]!.id, users[2]!.id]);
      expect(
        (await store.list({ search: [base, 'B@EXAMPLE'], limit: 9, offset: 0 })).users,
      ).toEqual([users[1]]);
      expect(await store.count([base, '%'])).toBe(0);
    });

    it('applies admin changes (a new email is unverified) and deletes rows', async () => {
      const user = await store.create(newUser(), 1);
      await store.setActive(user.id, false);
      expect(
        await store.adminUpdate(user.id, { email: 'n@example.org', isStaff: true, isActive: true }),
      ).toMatchObject({
        email: 'n@example.org',
        isStaff: true,
        isActive: true,
        emailVerified: false,
      });
      expect(await store.adminUpdate(user.id, {})).toMatchObject({ email: 'n@example.org' });
      expect(await store.delete(user.id)).toBe(true);
      expect(await store.delete(user.id)).toBe(false);
      expect(await store.findById(user.id)).toBeNull();
      expect(await store.adminUpdate(user.id, { isStaff: false })).toBeNull();
    });

    it('raises StorageUnavailableError, and only that, when the database is unreachable', async () => {
      const broken = makeBroken();
      await expect(broken.findById(1)).rejects.toBeInstanceOf(StorageUnavailableError);
      await expect(broken.findByUsername('a')).rejects.toBeInstanceOf(StorageUnavailableError);
      await expect(broken.create(newUser(), Date.now())).rejects.toBeInstanceOf(
        StorageUnavailableError,
      );
      await expect(broken.ping()).rejects.toBeInstanceOf(StorageUnavailableError);
      await expect(broken.changePassword(1, { from: 'a', to: 'b', at: 1 })).rejects.toBeInstanceOf(
        StorageUnavailableError,
      );
      await expect(broken.list({ search: ['a'], limit: 1, offset: 0 })).rejects.toBeInstanceOf(
        StorageUnavailableError,
      );
      await expect(broken.delete(1)).rejects.toBeInstanceOf(StorageUnavailableError);
    });
  });
}

userStoreContract(
  'D1',
  () => d1UserStore(drizzle(env.DB)),
  () => d1UserStore(drizzle(unreachableD1())),
);

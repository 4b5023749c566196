/**
 * @module routes/deps
 * The services' dependencies, taken from the request's edgeauth runtime.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../env';
import type { ApiTokenDeps } from '../services/api-tokens';
import type { RevocationDeps } from '../services/revocation';
import type { TokenDeps } from '../services/tokens';
import { checkCredentials, type UserServiceDeps } from '../services/users';
import type { User } from '../storage/types';
import { readData } from '../http/body';
import { Fields } from '../validation/fields';

export function userDeps(c: Context<AppEnv>): UserServiceDeps {
  const { config, stores, hasher } = c.var.edgeauth;
  return { config, users: stores.users, hasher };
}

export function tokenDeps(c: Context<AppEnv>): TokenDeps {
  const { config, codec, stores } = c.var.edgeauth;
  return {
    config,
    codec,
    users: stores.users,
    families: stores.refreshFamilies,
    revocations: stores.revocations,
  };
}

export function apiTokenDeps(c: Context<AppEnv>): ApiTokenDeps {
  const { config, stores } = c.var.edgeauth;
  return { config, tokens: stores.apiTokens };
}

export function revocationDeps(c: Context<AppEnv>): RevocationDeps {
  const { config, stores } = c.var.edgeauth;
  return {
    config,
    users: stores.users,
    families: stores.refreshFamilies,
    apiTokens: stores.apiTokens,
    revocations: stores.revocations,
    sessions: stores.sessions,
  };
}

/**
 * Reads `username` and `password` (never trimmed) from the body, as the
 * obtain views of DRF and simplejwt do, and checks them: the active user, or
 * null. Missing or blank fields, and a password over `PASSWORD_MAX_LENGTH`,
 * are DRF's 400 field errors, answered before any lookup or hashing.
 */
export async function credentialsFromBody(c: Context<AppEnv>): Promise<User | null> {
  const fields = new Fields(await readData(c));
  const username = fields.string('username');
  const password = fields.string('password', {
    trim: false,
    maxLength: c.var.edgeauth.config.PASSWORD_MAX_LENGTH,
  });
  fields.check();
  return checkCredentials(userDeps(c), username!, password!);
}

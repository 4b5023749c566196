import { describe, expect, it } from 'vitest';
import {
  OWASP_ARGON2ID,
  createPasswordHasher,
  nobleArgon2id,
  parsePhc,
  type Argon2idFunction,
} from '../src/crypto/password';
import { createServices } from '../src/services';
import { cloudflareStores } from '../src/storage/cloudflare';
import { d1UserStore } from '../src/storage/d1/users';
import { drizzle } from 'drizzle-orm/d1';
import { env } from 'cloudflare:test';
import { parseConfig } from '../src/config';
import { PASSWORD, testVars, uniqueName } from './helpers';

const fast = { memoryKiB: 64, iterations: 1, parallelism: 1 };

describe('argon2id PHC hashes', () => {
  it('verify hashes made by the reference implementation (argon2 CLI, RFC 9106)', async () => {
    const hasher = createPasswordHasher(fast);
    const reference = [
      [
        'correct horse battery staple',
        '$argon2id$v=19$m=1024,t=2,p=1$ZWRnZWF1dGgtc2FsdC0xNg$kens2Xxr/xx6ErfmkF6aYEaZjNfBwEdUlxjcl6ce5Dw',
      ],
      [
        'pässwörd ✓',
        '$argon2id$v=19$m=256,t=1,p=2$YW5vdGhlci1zYWx0LXZhbA$Q4vjR0GMy1xws/0VFzFKPPbOLqJssp1nYnqbPrC2XVg',
      ],
    ] as const;
    for (const [password, phc] of reference) {
      expect(await hasher.verify(password, phc)).toEqual({ valid: true, needsRehash: true });
      expect((await hasher.verify(`${password}x`, phc)).valid).toBe(false);
    }
  });

  it('uses OWASP parameters by default: 19 MiB, 2 passes, 1 lane', async () => {
    const hasher = createPasswordHasher();
    const stored = await hasher.hash(PASSWORD);
    expect(stored).toMatch(
      /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/,
    );
    expect(await hasher.verify(PASSWORD, stored)).toEqual({ valid: true, needsRehash: false });
    expect(OWASP_ARGON2ID).toEqual({ memoryKiB: 19456, iterations: 2, parallelism: 1 });
  });

  it('salts every hash', async () => {
    const hasher = createPasswordHasher(fast);
    expect(await hasher.hash(PASSWORD)).not.toBe(await hasher.hash(PASSWORD));
  });

  it('hashes the exact bytes: no trimming, no Unicode normalisation', async () => {
    const hasher = createPasswordHasher(fast);
    const stored = await hasher.hash(' café ');
    expect((await hasher.verify(' café ', stored)).valid).toBe(true);
    expect((await hasher.verify('café', stored)).valid).toBe(false);
    expect((await hasher.verify(' cafe\u0301 ', stored)).valid).toBe(false);
  });

  it('reports a hash made with other parameters as needing a re-hash, only when it matches', async () => {
    const old = await createPasswordHasher({ ...fast, iterations: 2 }).hash(PASSWORD);
    const hasher = createPasswordHasher(fast);
    expect(await hasher.verify(PASSWORD, old)).toEqual({ valid: true, needsRehash: true });
    expect(await hasher.verify('wrong', old)).toEqual({ valid: false, needsRehash: false });
  });

  it.each([
    '',
    '!',
    'pbkdf2_sha256$600000$salt$hash',
    '$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA',
    '$argon2id$v=16$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA',
    '$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA',
    '$argon2id$v=19$m=64,t=1,p=1$!!!$aGFzaGhhc2hoYXNoaGFzaA',
  ])('never accepts a password against the unusable hash %j', async (stored) => {
    const hasher = createPasswordHasher(fast);
    expect(await hasher.verify('', stored)).toEqual({ valid: false, needsRehash: false });
    expect(await hasher.verify(PASSWORD, stored)).toEqual({ valid: false, needsRehash: false });
  });

  it('parses only well-formed argon2id PHC strings', () => {
    expect(
      parsePhc('$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA'),
    ).toMatchObject({
      params: { memoryKiB: 64, iterations: 1, parallelism: 1 },
      version: 19,
    });
    expect(parsePhc('$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ')).toBeUndefined();
  });
});

describe('the login pipeline does not reveal whether an account exists', () => {
  it('spends exactly one argon2id computation for unknown, inactive, wrong and right', async () => {
    let computations = 0;
    const counting: Argon2idFunction = (password, salt, params) => {
      computations += 1;
      return nobleArgon2id(password, salt, params);
    };
    const hasher = createPasswordHasher(fast, counting);
    const users = d1UserStore(drizzle(env.DB));
    const config = parseConfig(testVars());
    const { login } = createServices(config, cloudflareStores(env), undefined, { hasher });
    const client = { userAgent: null, ip: null };
    const active = await users.create(
      { username: uniqueName(), email: '', passwordHash: await hasher.hash(PASSWORD) },
      Date.now(),
    );
    const inactive = await users.create(
      {
        username: uniqueName(),
        email: '',
        passwordHash: await hasher.hash(PASSWORD),
        isActive: false,
      },
      Date.now(),
    );
    const cases: Array<[string, string, boolean]> = [
      [uniqueName('nobody'), PASSWORD, false],
      [inactive.username, PASSWORD, false],
      [active.username, 'wrong', false],
      [active.username, PASSWORD, true],
    ];
    for (const [username, password, accepted] of cases) {
      computations = 0;
      const attempt = { channel: 'basic' as const, username, password, client };
      const result = await login.logIn(attempt, { kind: 'none' });
      expect(result.ok).toBe(accepted);
      expect(computations).toBe(1);
    }
  });
});

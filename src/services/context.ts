/**
 * @module services/context
 * What every service is built from: the settings, the stores, the password
 * hasher, the JWT codec and the clock. `createServices` makes one and hands
 * it to each service; nothing outside `services/` sees it.
 */
import type { AuthConfig } from '../config';
import type { JwtCodec } from '../crypto/jwt';
import type { PasswordHasher } from '../crypto/password';
import type { Stores } from '../storage/types';

/** Where time comes from. A use case reads it once and passes `now` down. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface ServiceContext {
  config: Readonly<AuthConfig>;
  stores: Stores;
  hasher: PasswordHasher;
  codec: JwtCodec;
  clock: Clock;
}

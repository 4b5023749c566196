/**
 * @module storage/guard
 * Turns platform storage errors into `StorageUnavailableError`, so that every
 * caller fails closed on them the same way.
 */
import { StorageUnavailableError } from '../errors';

/**
 * The innermost cause: the platform's own error. Query builders wrap it in
 * errors whose messages quote the SQL and its parameters (token ids,
 * hashes), which must never reach a log.
 */
function rootCause(err: unknown): unknown {
  let current = err;
  while (current instanceof Error && current.cause !== undefined) current = current.cause;
  return current;
}

/** Runs `operation`; any error it throws becomes a `StorageUnavailableError` for `store`. */
export async function guard<T>(store: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    if (err instanceof StorageUnavailableError) throw err;
    throw new StorageUnavailableError(store, rootCause(err));
  }
}

/** True when `err` (or one of its causes) is SQLite's UNIQUE constraint failure. */
export function isUniqueViolation(err: unknown): boolean {
  for (let current = err; current instanceof Error; current = current.cause) {
    if (current.message.includes('UNIQUE constraint failed')) return true;
  }
  return false;
}

/** `make()` on the first call, its result on every later one (a failed call is retried). */
export function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

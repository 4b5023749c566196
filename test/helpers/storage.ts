/**
 * Storage seen from the tests: spies over the real bindings that record
 * every call and still store, and bindings that fail only some operations
 * (the suite fakes storage only to make it fail).
 */
import { env } from 'cloudflare:test';

export interface Recorded {
  method: string;
  args: unknown[];
}

/**
 * A spy over a real binding: every call is recorded and then forwarded to
 * the binding itself, so storage still happens.
 */
export function recording<T extends object>(target: T, calls: Recorded[]): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push({ method: String(property), args });
        return (value as (...a: unknown[]) => unknown).apply(object, args);
      };
    },
  });
}

/** The methods called, in order. */
export function methods(calls: Recorded[]): string[] {
  return calls.map((call) => call.method);
}

/** The real KV, except that writes fail as an unreachable namespace's do. */
export function kvThatCannotWrite(): KVNamespace {
  return new Proxy(env.KV, {
    get(object, property) {
      if (property === 'put' || property === 'delete') {
        return async () => {
          throw new Error('KV PUT failed: 503 Service Unavailable');
        };
      }
      const value: unknown = Reflect.get(object, property, object);
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
}

/** The real D1, except that every statement that writes fails when it runs. */
export function d1ThatCannotWrite(): D1Database {
  const failing = (): D1PreparedStatement =>
    new Proxy({} as D1PreparedStatement, {
      get(_object, property) {
        if (property === 'bind') return () => failing();
        return async () => {
          throw new Error('D1_ERROR: Network connection lost.');
        };
      },
    });
  return new Proxy(env.DB, {
    get(object, property) {
      if (property === 'prepare') {
        return (query: string) => (/^\s*select\b/i.test(query) ? object.prepare(query) : failing());
      }
      const value: unknown = Reflect.get(object, property, object);
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
}

/** The hex SHA-256 of a text: how KV keys hash identifiers that come from outside. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

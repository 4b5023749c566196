/**
 * "Instant storage" for the in-isolate request benchmarks: D1 reads and KV
 * reads answered from memory with what the real (local) binding answered the
 * first time, so that a request's time is the Worker's own CPU work, as it
 * is in production where storage is remote I/O that costs the isolate no
 * CPU. Writes always go to the real binding. Only used to *measure*; the
 * answers are real ones recorded a moment earlier, never invented.
 */

type AnyFunction = (...args: unknown[]) => unknown;

const READS = new Set(['first', 'all', 'raw']);

export interface Memo {
  /** Off: every call goes to the binding (and nothing is recorded). */
  enabled: boolean;
  answers: Map<string, Promise<unknown>>;
}

function remember(memo: Memo, key: string, call: () => unknown): Promise<unknown> {
  if (!memo.enabled) return Promise.resolve(call());
  let answer = memo.answers.get(key);
  if (!answer) {
    answer = Promise.resolve(call());
    memo.answers.set(key, answer);
  }
  return answer;
}

function bound(target: object, property: string | symbol): unknown {
  const value: unknown = Reflect.get(target, property, target);
  return typeof value === 'function' ? (value as AnyFunction).bind(target) : value;
}

export function memoD1(db: D1Database, memo: Memo): D1Database {
  const originals = new WeakMap<object, D1PreparedStatement>();
  const wrap = (statement: D1PreparedStatement, sql: string, params: unknown[]) => {
    const proxy = new Proxy(statement, {
      get(target, property) {
        const value = bound(target, property);
        if (property === 'bind') {
          return (...args: unknown[]) =>
            wrap((value as AnyFunction)(...args) as D1PreparedStatement, sql, args);
        }
        if (typeof property !== 'string' || !READS.has(property) || !/^\s*select\b/i.test(sql)) {
          return value;
        }
        return (...args: unknown[]) =>
          remember(memo, JSON.stringify([property, sql, params, args]), () =>
            (value as AnyFunction)(...args),
          );
      },
    });
    originals.set(proxy, statement);
    return proxy;
  };
  return new Proxy(db, {
    get(target, property) {
      const value = bound(target, property);
      if (property === 'prepare') {
        return (sql: string) => wrap((value as AnyFunction)(sql) as D1PreparedStatement, sql, []);
      }
      if (property === 'batch') {
        return (statements: D1PreparedStatement[]) =>
          (value as AnyFunction)(statements.map((s) => originals.get(s) ?? s));
      }
      return value;
    },
  });
}

export function memoKv(kv: KVNamespace, memo: Memo): KVNamespace {
  return new Proxy(kv, {
    get(target, property) {
      const value = bound(target, property);
      if (property !== 'get' && property !== 'getWithMetadata') return value;
      return (...args: unknown[]) =>
        remember(memo, JSON.stringify([property, args]), () => (value as AnyFunction)(...args));
    },
  });
}

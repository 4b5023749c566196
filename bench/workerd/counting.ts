/**
 * Counting wrappers for the D1 and KV bindings, for the storage round-trip
 * counts of `npm run bench`. They pass every call through to the real
 * (local) binding and only count: no result is changed or invented.
 *
 * A D1 round trip is one `first()`, `all()`, `run()` or `raw()` of a prepared
 * statement, one `batch([...])` (however many statements it carries) or one
 * `exec()`. A KV read is one `get()` / `getWithMetadata()` call, whether it
 * asks for one key or (bulk read) several.
 */

export interface StorageCounts {
  /** `reads`/`writes` count statements by their SQL (SELECT, or INSERT/UPDATE/DELETE). */
  d1: { roundTrips: number; statements: number; reads: number; writes: number };
  kv: { reads: number; keysRead: number; writes: number; deletes: number; lists: number };
}

export function emptyCounts(): StorageCounts {
  return {
    d1: { roundTrips: 0, statements: 0, reads: 0, writes: 0 },
    kv: { reads: 0, keysRead: 0, writes: 0, deletes: 0, lists: 0 },
  };
}

export function snapshot(counts: StorageCounts): StorageCounts {
  return { d1: { ...counts.d1 }, kv: { ...counts.kv } };
}

/** `after - before`, field by field. */
export function difference(after: StorageCounts, before: StorageCounts): StorageCounts {
  const d1 = { ...after.d1 };
  const kv = { ...after.kv };
  for (const key of Object.keys(d1) as (keyof typeof d1)[]) d1[key] -= before.d1[key];
  for (const key of Object.keys(kv) as (keyof typeof kv)[]) kv[key] -= before.kv[key];
  return { d1, kv };
}

const EXECUTE = new Set(['first', 'all', 'run', 'raw']);

type AnyFunction = (...args: unknown[]) => unknown;

/**
 * A proxy whose methods run on the real object (native bindings check
 * `this`), with some methods replaced.
 */
function intercept<T extends object>(
  target: T,
  replace: (name: string, original: AnyFunction) => AnyFunction | undefined,
): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function') return value;
      const original = (value as AnyFunction).bind(object);
      return (typeof property === 'string' && replace(property, original)) || original;
    },
  });
}

/** A statement reads unless it inserts, updates, deletes or replaces. */
function isWrite(sql: string): boolean {
  return /\b(insert|update|delete|replace)\b/i.test(sql);
}

export function countingD1(db: D1Database, counts: StorageCounts): D1Database {
  const originals = new WeakMap<object, { statement: D1PreparedStatement; sql: string }>();
  const tally = (sql: string) => {
    counts.d1.statements += 1;
    if (isWrite(sql)) counts.d1.writes += 1;
    else counts.d1.reads += 1;
  };
  const wrap = (statement: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const proxy = intercept(statement, (name, original) => {
      if (name === 'bind') return (...args) => wrap(original(...args) as D1PreparedStatement, sql);
      if (!EXECUTE.has(name)) return undefined;
      return (...args) => {
        counts.d1.roundTrips += 1;
        tally(sql);
        return original(...args);
      };
    });
    originals.set(proxy, { statement, sql });
    return proxy;
  };
  return intercept(db, (name, original) => {
    if (name === 'prepare') {
      return (sql) => wrap(original(sql) as D1PreparedStatement, String(sql));
    }
    if (name === 'batch') {
      return (statements) => {
        const list = (statements as D1PreparedStatement[]).map((s) => originals.get(s));
        counts.d1.roundTrips += 1;
        for (const entry of list) tally(entry?.sql ?? '');
        return original(list.map((entry, i) => entry?.statement ?? (statements as never[])[i]));
      };
    }
    if (name === 'exec') {
      return (sql) => {
        counts.d1.roundTrips += 1;
        for (const statement of String(sql).split(/;\s*\n/)) tally(statement);
        return original(sql);
      };
    }
    return undefined;
  });
}

const KV_OTHER = new Map<string, 'writes' | 'deletes' | 'lists'>([
  ['put', 'writes'],
  ['delete', 'deletes'],
  ['list', 'lists'],
]);

export function countingKv(kv: KVNamespace, counts: StorageCounts): KVNamespace {
  return intercept(kv, (name, original) => {
    if (name === 'get' || name === 'getWithMetadata') {
      return (key, ...rest) => {
        counts.kv.reads += 1;
        counts.kv.keysRead += Array.isArray(key) ? key.length : 1;
        return original(key, ...rest);
      };
    }
    const field = KV_OTHER.get(name);
    if (field === undefined) return undefined;
    return (...args) => {
      counts.kv[field] += 1;
      return original(...args);
    };
  });
}

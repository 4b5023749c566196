/**
 * Proving that work happens after the response: a D1 binding whose queries
 * wait until released (the real database behind it, only slowed down), and
 * an execution context that collects what the Worker hands to `waitUntil`
 * instead of running it to completion before the answer.
 */

export interface StalledD1 {
  binding: D1Database;
  /** Queries that have finished (none until `release()`). */
  readonly completed: number;
  release(): void;
  /** Rejects after `ms`: race it against a request that must not wait for D1. */
  timeout(ms: number): Promise<never>;
}

const RUNS = new Set(['all', 'first', 'run', 'raw']);

export function stalledD1(real: D1Database): StalledD1 {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const originals = new WeakMap<object, D1PreparedStatement>();
  const state = { completed: 0 };
  const after = async <T>(work: () => Promise<T>): Promise<T> => {
    await gate;
    const result = await work();
    state.completed += 1;
    return result;
  };
  const wrap = (statement: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver) as unknown;
        if (typeof value !== 'function') return value;
        if (name === 'bind') {
          return (...args: unknown[]) =>
            wrap((value as (...a: unknown[]) => D1PreparedStatement).apply(target, args));
        }
        if (RUNS.has(String(name))) {
          return (...args: unknown[]) =>
            after(() => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
        }
        return (value as (...a: unknown[]) => unknown).bind(target);
      },
    });
    originals.set(proxy, statement);
    return proxy;
  };
  const binding = new Proxy(real, {
    get(target, name, receiver) {
      if (name === 'prepare') return (sql: string) => wrap(target.prepare(sql));
      if (name === 'batch') {
        return (statements: D1PreparedStatement[]) =>
          after(() => target.batch(statements.map((s) => originals.get(s) ?? s)));
      }
      const value = Reflect.get(target, name, receiver) as unknown;
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
  return {
    binding,
    get completed() {
      return state.completed;
    },
    release: () => open(),
    timeout: (ms) =>
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`no answer within ${ms} ms: it waited for D1`)), ms),
      ),
  };
}

export interface Collector extends ExecutionContext {
  /** Resolves once everything handed to `waitUntil` has settled. */
  settled(): Promise<void>;
}

/** An execution context that keeps the `waitUntil` promises for the test to await. */
export function waitUntilCollector(): Collector {
  const pending: Promise<unknown>[] = [];
  return {
    waitUntil: (promise: Promise<unknown>) => void pending.push(promise),
    passThroughOnException: () => {},
    props: {},
    async settled() {
      await Promise.allSettled(pending);
    },
  } as unknown as Collector;
}

/**
 * @module config/parse
 * Parsers for setting values. Settings arrive as `wrangler.toml` vars and
 * secrets: strings, or numbers, booleans and arrays when the var was written
 * as TOML of that type. Each parser accepts both forms and throws a
 * {@link ConfigError} naming the setting, never echoing a secret's value.
 */

/** A setting that is missing, malformed, unknown or removed. Names the setting. */
export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`Invalid setting ${setting}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** Turns a raw var into a typed value; `name` is for the error message. */
export type Parser<T> = (raw: unknown, name: string) => T;

function show(raw: unknown): string {
  const text = typeof raw === 'string' ? JSON.stringify(raw) : String(raw);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function text(): Parser<string> {
  return (raw, name) => {
    if (typeof raw !== 'string')
      throw new ConfigError(name, `expected a string, got ${typeof raw}`);
    return raw;
  };
}

export function integer(opts: { min: number; max: number }): Parser<number> {
  return (raw, name) => {
    const value = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw new ConfigError(name, `expected a whole number, got ${show(raw)}`);
    }
    if (value < opts.min || value > opts.max) {
      throw new ConfigError(name, `must be between ${opts.min} and ${opts.max}, got ${value}`);
    }
    return value;
  };
}

export function decimal(opts: { min: number; max: number }): Parser<number> {
  return (raw, name) => {
    const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ConfigError(name, `expected a number, got ${show(raw)}`);
    }
    if (value < opts.min || value > opts.max) {
      throw new ConfigError(name, `must be between ${opts.min} and ${opts.max}, got ${value}`);
    }
    return value;
  };
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

export const boolean: Parser<boolean> = (raw, name) => {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string') {
    const lowered = raw.trim().toLowerCase();
    if (TRUE.has(lowered)) return true;
    if (FALSE.has(lowered)) return false;
  }
  throw new ConfigError(name, `expected true or false, got ${show(raw)}`);
};

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * A duration in whole seconds: a number of seconds, or a string such as
 * `"300"`, `"5m"`, `"12h"`, `"1d"` (simplejwt's `timedelta` settings).
 */
export function duration(opts: { min: number; max: number }): Parser<number> {
  return (raw, name) => {
    let seconds: number | undefined;
    if (typeof raw === 'number' && Number.isInteger(raw)) seconds = raw;
    if (typeof raw === 'string') {
      const match = /^(\d+)\s*([smhd]?)$/.exec(raw.trim());
      if (match) seconds = Number(match[1]) * UNIT_SECONDS[match[2] || 's']!;
    }
    if (seconds === undefined) {
      throw new ConfigError(
        name,
        `expected seconds or a duration like "5m", "1d"; got ${show(raw)}`,
      );
    }
    if (seconds < opts.min || seconds > opts.max) {
      throw new ConfigError(name, `must be between ${opts.min}s and ${opts.max}s, got ${seconds}s`);
    }
    return seconds;
  };
}

export function oneOf<const T extends string>(choices: readonly T[]): Parser<T> {
  return (raw, name) => {
    if (typeof raw === 'string' && (choices as readonly string[]).includes(raw)) return raw as T;
    throw new ConfigError(name, `expected one of ${choices.join(', ')}; got ${show(raw)}`);
  };
}

/**
 * A sender as Django's `DEFAULT_FROM_EMAIL` takes it: `noreply@example.com`
 * or `Example <noreply@example.com>`. No line breaks or control characters,
 * which would let the value add mail headers.
 */
export const fromAddress: Parser<string> = (raw, name) => {
  const value = text()(raw, name).trim();
  const address = /^[^\s<>@",;\p{Cc}]+@[^\s<>@",;\p{Cc}]+\.[^\s<>@",;\p{Cc}]+$/u;
  const match = /^([^<>",;\p{Cc}]+)<([^<>]*)>$/u.exec(value);
  const ok = match ? address.test(match[2]!) && match[1]!.trim() !== '' : address.test(value);
  if (!ok) {
    throw new ConfigError(
      name,
      'must be an address like noreply@example.com or Site <noreply@example.com>',
    );
  }
  return value;
};

/** A list: a TOML array, a JSON array string, or a comma-separated string. */
export function listOf<T>(item: Parser<T>, opts: { unique?: boolean } = {}): Parser<readonly T[]> {
  return (raw, name) => {
    let items: unknown = raw;
    if (typeof raw === 'string') {
      const trimmed = raw.trim();
      items = trimmed.startsWith('[')
        ? parseJson(trimmed, name)
        : trimmed === ''
          ? []
          : trimmed.split(',').map((part) => part.trim());
    }
    if (!Array.isArray(items)) throw new ConfigError(name, `expected a list, got ${show(raw)}`);
    const values = items.map((entry) => item(entry, name));
    if (opts.unique && new Set(values).size !== values.length) {
      throw new ConfigError(name, 'lists the same entry twice');
    }
    return Object.freeze(values);
  };
}

export function parseJson(raw: string, name: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new ConfigError(name, 'is not valid JSON');
  }
}

/** Levenshtein distance, for "did you mean" hints on misspelt setting names. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}

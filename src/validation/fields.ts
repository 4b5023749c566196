/**
 * @module validation/fields
 * Reading request fields the way DRF's `CharField` does, with DRF's messages:
 * numbers become strings, other types are `Not a valid string.`, whitespace
 * is trimmed unless the field says otherwise (passwords never are), and all
 * errors of a body are reported together.
 *
 * @example
 * const fields = new Fields(body);
 * const email = fields.string('email', { maxLength: 254 });
 * const password = fields.string('password', { trim: false });
 * fields.check(); // throws ValidationError({ email: [...], ... }) if any failed
 */
import { ValidationError } from '../errors';

export interface StringFieldOptions {
  /** Default true: a missing field is `This field is required.` */
  required?: boolean;
  /** Default true (DRF's `trim_whitespace`); false for passwords. */
  trim?: boolean;
  /** Default false: an empty value is `This field may not be blank.` */
  allowBlank?: boolean;
  maxLength?: number;
}

/** DRF's `CharField(max_length=...)` error. */
export function maxLengthMessage(maxLength: number): string {
  return `Ensure this field has no more than ${maxLength} characters.`;
}

const SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export class Fields {
  private readonly errors: Record<string, string[]> = {};

  constructor(private readonly data: Readonly<Record<string, unknown>>) {}

  /** True when the body carries `name` at all (for PATCH-style partial updates). */
  has(name: string): boolean {
    return Object.hasOwn(this.data, name);
  }

  /** The field as a string, or `undefined` when it is absent (and not required) or invalid. */
  string(name: string, options: StringFieldOptions = {}): string | undefined {
    if (!this.has(name)) {
      if (options.required ?? true) this.add(name, 'This field is required.');
      return undefined;
    }
    let value = this.coerce(name, this.data[name]);
    if (value === undefined) return undefined;
    if (options.trim ?? true) value = value.trim();
    if (value === '' && !options.allowBlank) return this.fail(name, 'This field may not be blank.');
    return this.checkString(name, value, options);
  }

  /** DRF's `CharField.to_internal_value`: strings, and numbers as strings. */
  private coerce(name: string, raw: unknown): string | undefined {
    if (typeof raw === 'string') return raw;
    if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
    if (raw === null) return this.fail(name, 'This field may not be null.');
    return this.fail(name, 'Not a valid string.');
  }

  private checkString(name: string, value: string, options: StringFieldOptions) {
    const length = [...value].length;
    if (options.maxLength !== undefined && length > options.maxLength) {
      return this.fail(name, maxLengthMessage(options.maxLength));
    }
    if (value.includes('\0')) return this.fail(name, 'Null characters are not allowed.');
    const surrogate = SURROGATE.exec(value);
    if (surrogate) {
      const code = surrogate[0].charCodeAt(0).toString(16).toUpperCase();
      return this.fail(name, `Surrogate characters are not allowed: U+${code}.`);
    }
    return value;
  }

  /** Records an error for `name`; `check()` throws them all. */
  add(name: string, message: string): void {
    (this.errors[name] ??= []).push(message);
  }

  private fail(name: string, message: string): undefined {
    this.add(name, message);
    return undefined;
  }

  /** Throws a {@link ValidationError} carrying every recorded error. */
  check(): void {
    if (Object.keys(this.errors).length > 0) throw new ValidationError(this.errors);
  }
}

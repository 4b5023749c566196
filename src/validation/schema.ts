/**
 * @module validation/schema
 * Request body schemas, declared once per route: they read a body with DRF's
 * field rules and exact messages (through {@link Fields}, every field error
 * collected before the 400), describe the body as JSON Schema for the
 * OpenAPI document, and implement the Standard Schema interface, so any
 * tool that speaks it can validate with them.
 *
 * @example
 * const credentials = body({
 *   username: string({ description: 'The account name.' }),
 *   password: string({ trim: false, maxLength: 1024, format: 'password' }),
 * });
 * const { username, password } = credentials.parse(await readData(c));
 */
import { ValidationError } from '../errors';
import { Fields, type StringFieldOptions } from './fields';

export type JsonSchema = Record<string, unknown>;

/** One field of a body: how to read it, and how to describe it. */
export interface Field<T, Required extends boolean = boolean> {
  readonly required: Required;
  read(fields: Fields, name: string, data: Readonly<Record<string, unknown>>): T | undefined;
  readonly schema: JsonSchema;
}

type Shape = Record<string, Field<unknown>>;

/** The value a shape reads: required fields always present, optional ones maybe. */
export type Infer<S extends Shape> = {
  [K in keyof S as S[K] extends Field<unknown, true> ? K : never]: S[K] extends Field<infer T>
    ? T
    : never;
} & {
  [K in keyof S as S[K] extends Field<unknown, true> ? never : K]?: S[K] extends Field<infer T>
    ? T
    : never;
};

/** The Standard Schema v1 interface (standardschema.dev), declared here rather than imported. */
export interface StandardSchemaV1<Input, Output> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    validate(
      value: unknown,
    ):
      | { readonly value: Output; readonly issues?: undefined }
      | { readonly issues: readonly { message: string; path?: readonly PropertyKey[] }[] };
    readonly types?: { readonly input: Input; readonly output: Output };
  };
}

export interface BodySchema<T> extends StandardSchemaV1<Readonly<Record<string, unknown>>, T> {
  /** Reads the body; throws a {@link ValidationError} with every field error. */
  parse(data: Readonly<Record<string, unknown>>): T;
  /** The body as JSON Schema (OpenAPI 3.1). */
  readonly jsonSchema: JsonSchema;
}

export interface StringFieldSpec extends Omit<StringFieldOptions, 'required'> {
  description?: string;
  /** JSON Schema `format`: `password` marks a secret, `email` an address. */
  format?: string;
}

/** DRF's `CharField`; required unless `required: false`. */
export function string(spec?: StringFieldSpec & { required?: true }): Field<string, true>;
export function string(spec: StringFieldSpec & { required: false }): Field<string, false>;
export function string(spec: StringFieldSpec & { required: boolean }): Field<string, boolean>;
export function string(spec: StringFieldSpec & { required?: boolean } = {}): Field<string> {
  const schema: JsonSchema = { type: 'string' };
  if (spec.maxLength !== undefined) schema.maxLength = spec.maxLength;
  if (spec.allowBlank !== true) schema.minLength = 1;
  if (spec.format !== undefined) schema.format = spec.format;
  if (spec.format === 'password') schema.writeOnly = true;
  if (spec.description !== undefined) schema.description = spec.description;
  const required = spec.required ?? true;
  return { required, read: (fields, name) => fields.string(name, { ...spec, required }), schema };
}

interface CustomFieldSpec<T> {
  schema: JsonSchema;
  read(fields: Fields, name: string, data: Readonly<Record<string, unknown>>): T | undefined;
}

/** A field with its own reading rule (an integer range, a list of scopes); optional by default. */
export function custom<T>(spec: CustomFieldSpec<T> & { required?: false }): Field<T, false>;
export function custom<T>(spec: CustomFieldSpec<T> & { required: true }): Field<T, true>;
export function custom<T>(spec: CustomFieldSpec<T> & { required?: boolean }): Field<T> {
  return { required: spec.required ?? false, read: spec.read, schema: spec.schema };
}

export interface BodyOptions<T> {
  description?: string;
  /**
   * Checks across fields after each field was read (dj-rest-auth's two
   * password fields); record errors with `fields.add`. Runs only when every
   * field read cleanly, as DRF's `validate()` does.
   */
  refine?(value: T, fields: Fields, data: Readonly<Record<string, unknown>>): T;
  /** Extra JSON Schema members (`oneOf` for alternative fields). */
  schema?: JsonSchema;
}

export function body<S extends Shape>(
  shape: S,
  options: BodyOptions<Infer<S>> = {},
): BodySchema<Infer<S>> {
  const properties = Object.fromEntries(
    Object.entries(shape).map(([name, field]) => [name, field.schema]),
  );
  const required = Object.keys(shape).filter((name) => shape[name]!.required);
  const jsonSchema: JsonSchema = {
    type: 'object',
    properties,
    ...(required.length > 0 ? { required } : {}),
    ...(options.description === undefined ? {} : { description: options.description }),
    ...options.schema,
  };

  function parse(data: Readonly<Record<string, unknown>>): Infer<S> {
    const fields = new Fields(data);
    const value: Record<string, unknown> = {};
    for (const [name, field] of Object.entries(shape)) {
      const read = field.read(fields, name, data);
      if (read !== undefined) value[name] = read;
    }
    fields.check();
    if (!options.refine) return value as Infer<S>;
    const refined = options.refine(value as Infer<S>, fields, data);
    fields.check();
    return refined;
  }

  return {
    parse,
    jsonSchema,
    '~standard': {
      version: 1,
      vendor: 'edgeauth',
      validate(input) {
        if (typeof input !== 'object' || input === null || Array.isArray(input)) {
          return { issues: [{ message: 'Expected a dictionary.' }] };
        }
        try {
          return { value: parse(input as Record<string, unknown>) };
        } catch (err) {
          if (!(err instanceof ValidationError)) throw err;
          const issues = Object.entries(err.fields).flatMap(([name, messages]) =>
            messages.map((message) => ({ message, path: [name] })),
          );
          return { issues };
        }
      },
    },
  };
}

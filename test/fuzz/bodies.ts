/**
 * @module fuzz/bodies
 * Request bodies with their `Content-Type`: JSON (fields right and wrong,
 * duplicate keys, deep, huge, broken, other encodings), URL-encoded and
 * multipart forms (broken boundaries included), and binary junk.
 */
import fc from 'fast-check';
import { KNOWN_FIELDS, completeFields, fieldValue } from './fields';
import {
  completeForm,
  formBody,
  formType,
  join,
  multipart,
  text,
  type BodyWithType,
} from './forms';
import type { Body, Text } from './model';
import { asciiJunk, chars, maybe, nastyString, secret, wrongTypeJson } from './values';

export type { BodyWithType } from './forms';

/** `DATA_UPLOAD_MAX_MEMORY_SIZE` in the test configuration (the default). */
const UPLOAD_LIMIT = 65_536;

const jsonType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset=UTF-8',
  'APPLICATION/JSON',
  'application/vnd.api+json',
  'application/json; charset="utf-16"',
  ' application/json ; foo=bar',
);
const otherType = fc.oneof(
  fc.constantFrom(
    'text/plain',
    'application/octet-stream',
    '',
    ';',
    'application/json, application/x-www-form-urlencoded',
    'application/jsonx',
    'multipart/mixed; boundary=x',
    'x'.repeat(300),
  ),
  asciiJunk,
);

/** A JSON object with the given fields (and maybe others); keys may repeat. */
function jsonObject(fields: readonly string[]): fc.Arbitrary<Text> {
  const names = fields.length > 0 ? fields : KNOWN_FIELDS;
  const entry = fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .constantFrom(...names)
        .chain((name) => fc.tuple(fc.constant(name), fieldValue(name, 'json'))),
    },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...KNOWN_FIELDS), wrongTypeJson) },
    { weight: 1, arbitrary: fc.tuple(nastyString, wrongTypeJson) },
  );
  return fc.array(entry, { maxLength: 6 }).map((entries): Text => [
    '{',
    ...join(
      entries.map(([key, value]): Text => [JSON.stringify(key), ':', ...value]),
      ',',
    ),
    '}',
  ]);
}

function completeJson(fieldSets: readonly (readonly string[])[]): fc.Arbitrary<Text> {
  return completeFields(fieldSets, 'json').map((entries): Text => [
    '{',
    ...join(
      entries.map(([key, value]): Text => [JSON.stringify(key), ':', ...value]),
      ',',
    ),
    '}',
  ]);
}

/** JSON that does not parse, some of it with a secret where a parser might quote it back. */
const brokenJson: fc.Arbitrary<Text> = fc
  .oneof(
    secret('raw').map((s): Text => ['{"password": ', s, '}']),
    secret('raw').map((s): Text => ['password=', s]),
    secret('json').map((s): Text => ['{"refresh": ', s]),
    secret('json').map((s): Text => ['{"password": ', s, ',}']),
    fc.constantFrom(
      '{',
      '{"a":1}}',
      "{'a':1}",
      '{"a":01}',
      'undefined',
      'NaN',
      '[1,]',
      '{"a":"\\x"}',
    ),
    fc.string({ unit: 'binary', maxLength: 60 }),
  )
  .map((value): Text => (typeof value === 'string' ? [value] : value));

/** Bodies past and around `DATA_UPLOAD_MAX_MEMORY_SIZE`, built lazily. */
const bigJson: fc.Arbitrary<Text> = fc.oneof(
  fc.constantFrom(-1, 0, 1, 1_100_000, 1_100_000).map((extra): Text => {
    const [head, tail] = ['{"password":"', '"}'];
    return [head, { repeat: 'a', times: UPLOAD_LIMIT - head.length - tail.length + extra }, tail];
  }),
  fc
    .constantFrom(1_000, 10_000)
    .map((n): Text => [{ repeat: '{"a":', times: n }, '1', { repeat: '}', times: n }]),
);

const jsonBody: fc.Arbitrary<Body> = fc.oneof(
  { weight: 6, arbitrary: jsonObject([]).map(text) },
  {
    weight: 2,
    arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => text([JSON.stringify(value)])),
  },
  { weight: 2, arbitrary: brokenJson.map(text) },
  { weight: 1, arbitrary: bigJson.map(text) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        jsonObject([]),
        fc.constantFrom('utf-16le', 'latin1') as fc.Arbitrary<'utf-16le' | 'latin1'>,
        fc.boolean(),
      )
      .map(([parts, charset, bom]): Body => ({ kind: 'text', text: parts, charset, bom })),
  },
);

/** Any body with any `Content-Type`: parsers must answer 4xx, never fail. */
export const chaosBody: fc.Arbitrary<BodyWithType> = fc.oneof(
  fc.record({
    body: jsonBody,
    contentType: maybe(
      fc.oneof(jsonType, formType, otherType).map((s): Text => [s]),
      85,
    ),
  }),
  fc.record({
    body: formBody([]).map(text),
    contentType: fc.oneof(formType, jsonType).map((s): Text => [s]),
  }),
  multipart([]),
  fc.record({
    body: fc.uint8Array({ maxLength: 512 }).map((bytes): Body => ({ kind: 'bytes', bytes })),
    contentType: maybe(
      fc.oneof(jsonType, formType, otherType).map((s): Text => [s]),
      85,
    ),
  }),
  fc.record({
    body: chars(['x'], 1, 10).map((s) => text([s])),
    contentType: otherType.map((s): Text => [s]),
  }),
);

/** A body in one of the three parsed types, made for one of the route's field sets. */
export function routeBody(fieldSets: readonly (readonly string[])[]): fc.Arbitrary<BodyWithType> {
  const fields = [...new Set(fieldSets.flat().map((name) => name.split(':')[0]!))];
  const json = fc.oneof(
    { weight: 3, arbitrary: completeJson(fieldSets) },
    { weight: 1, arbitrary: jsonObject(fields) },
  );
  const form = fc.oneof(
    { weight: 3, arbitrary: completeForm(fieldSets) },
    { weight: 1, arbitrary: formBody(fields) },
  );
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({ body: json.map(text), contentType: jsonType.map((s): Text => [s]) }),
    },
    {
      weight: 4,
      arbitrary: fc.record({ body: form.map(text), contentType: formType.map((s): Text => [s]) }),
    },
    { weight: 2, arbitrary: multipart(fields) },
    {
      weight: 2,
      arbitrary: fc.record({
        body: bigJson.map(text),
        contentType: jsonType.map((s): Text => [s]),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ body: json.map(text), contentType: otherType.map((s): Text => [s]) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        body: brokenJson.map(text),
        contentType: jsonType.map((s): Text => [s]),
      }),
    },
  );
}

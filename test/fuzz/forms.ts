/**
 * @module fuzz/forms
 * URL-encoded and multipart bodies: a route's fields or any, with junk pairs
 * (`%ff`, lone `%`, `a=b=c`), and multipart with files, bare LF line ends, a
 * missing closing boundary, or a `Content-Type` naming another boundary or
 * none.
 */
import fc from 'fast-check';
import { KNOWN_FIELDS, completeFields, fieldValue } from './fields';
import type { Body, Part, Text } from './model';
import { asciiJunk, formEncode, nastyString } from './values';

export interface BodyWithType {
  body: Body;
  contentType?: Text;
}

export const text = (parts: Text): Body => ({ kind: 'text', text: parts });

export function join(items: readonly Text[], separator: string): Text {
  return items.flatMap((item, i) => (i === 0 ? [...item] : [separator, ...item]));
}

export const formType = fc.constantFrom(
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=UTF-8',
  'Application/X-WWW-Form-Urlencoded; charset=latin1',
);
export function completeForm(fieldSets: readonly (readonly string[])[]): fc.Arbitrary<Text> {
  return completeFields(fieldSets, 'url').map((entries) =>
    join(
      entries.map(([key, value]): Text => [encodeURIComponent(key), '=', ...value]),
      '&',
    ),
  );
}

export function formBody(fields: readonly string[]): fc.Arbitrary<Text> {
  const names = fields.length > 0 ? fields : KNOWN_FIELDS;
  const entry = fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .constantFrom(...names)
        .chain((name) =>
          fieldValue(name, 'url').map((value): Text => [encodeURIComponent(name), '=', ...value]),
        ),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('%ff=%fe', '%', '=', '&&', 'a', 'a=%zz', 'a=b=c', '+=+', '%00=%00')
        .map((s): Text => [s]),
    },
    { weight: 1, arbitrary: nastyString.map((s): Text => [formEncode(s), '=', formEncode(s)]) },
  );
  return fc.array(entry, { maxLength: 6 }).map((entries) => join(entries, '&'));
}

const BOUNDARY = 'fuzzBoundary7MA4YWxkTrZu0gW';

/** One part: a field with its value (raw), a file, or junk without headers. */
function multipartPart(names: readonly string[]): fc.Arbitrary<Text> {
  const field = fc
    .constantFrom(...names)
    .chain((name) =>
      fieldValue(name, 'url').map((value): Text => [
        `Content-Disposition: form-data; name="${name}"\r\n\r\n`,
        ...decodedForm(value),
      ]),
    );
  const file: Text = [
    'Content-Disposition: form-data; name="password"; filename="p.txt"\r\n',
    'Content-Type: text/plain\r\n\r\nsecret',
  ];
  return fc.oneof(
    { weight: 5, arbitrary: field },
    { weight: 1, arbitrary: fc.constant(file) },
    { weight: 1, arbitrary: asciiJunk.map((s): Text => [s]) },
  );
}

/** The `Content-Type` of a multipart body: its boundary, or another one, or none. */
const MULTIPART_TYPE = fc.constantFrom(
  `multipart/form-data; boundary=${BOUNDARY}`,
  `multipart/form-data; boundary=${BOUNDARY}`,
  `multipart/form-data; boundary="${BOUNDARY}"`,
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'multipart/form-data; boundary=other',
  `multipart/form-data; boundary=${'b'.repeat(200)}`,
  'multipart/form-data; boundary=";\\"',
);

/** A multipart body, LF or CRLF, closed or not, with a matching `Content-Type` or not. */
export function multipart(fields: readonly string[]): fc.Arbitrary<BodyWithType> {
  const names = fields.length > 0 ? fields : KNOWN_FIELDS;
  return fc
    .record({
      parts: fc.array(multipartPart(names), { maxLength: 5 }),
      newline: fc.constantFrom('\r\n', '\n'),
      closed: fc.boolean(),
      declared: MULTIPART_TYPE,
    })
    .map(({ parts, newline, closed, declared }) => {
      const body: Part[] = [];
      for (const p of parts) body.push(`--${BOUNDARY}${newline}`, ...p, newline);
      if (closed) body.push(`--${BOUNDARY}--${newline}`);
      return { body: text(body), contentType: [declared] };
    });
}

/** Form values are generated URL-encoded; multipart carries them raw. */
function decodedForm(value: Text): Text {
  return value.map((part) => {
    if (typeof part !== 'string') return 'enc' in part ? { ...part, enc: 'raw' as const } : part;
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  });
}

/**
 * @module test/fake-postmark
 * A stand-in for Postmark's single-email API (`POST /email`), run by the test
 * Miniflare as an auxiliary Worker. The outbound fake (test/fake-hibp) hands
 * it every request to the host `postmark.test`, so the Worker's mail backend
 * sends the very HTTP request it would send to api.postmarkapp.com.
 *
 * - `POST /email` checks `X-Postmark-Server-Token` (401 with ErrorCode 10
 *   unless it is {@link TOKEN}) and the required fields (422 with ErrorCode
 *   300), records the request, and answers as Postmark does: 200 with
 *   `{"To", "SubmittedAt", "MessageID", "ErrorCode": 0, "Message": "OK"}`.
 * - The recipient's local part steers a failure:
 *   `fail…@` → 500, `inactive…@` → 422 with ErrorCode 406 and Postmark's
 *   message quoting the address, `slow…@` → an answer after 10 seconds.
 * - `GET /__sent?to=<address>` lists the recorded requests to that address
 *   (`{method, path, headers, body}`, headers lower-cased, body parsed).
 */

/** The server token the fake accepts. */
const TOKEN = 'fake-postmark-server-token-7f3a9c';

/** @type {{ method: string, path: string, headers: Record<string, string>, body: any }[]} */
const sent = [];

function refuse(status, code, message) {
  return Response.json({ ErrorCode: code, Message: message }, { status });
}

async function email(request) {
  let body;
  try {
    body = await request.json();
  } catch {
    return refuse(422, 402, 'Received invalid JSON input.');
  }
  const headers = Object.fromEntries(request.headers);
  sent.push({ method: request.method, path: new URL(request.url).pathname, headers, body });
  if (headers['x-postmark-server-token'] !== TOKEN) {
    return refuse(
      401,
      10,
      'The Server Token you provided in the X-Postmark-Server-Token request header was invalid.',
    );
  }
  if (!body.From || !body.To || !(body.TextBody || body.HtmlBody)) {
    return refuse(422, 300, 'Invalid email request.');
  }
  const local = String(body.To).split('@')[0];
  if (local.startsWith('fail')) return refuse(500, 0, `Internal error while sending to ${body.To}`);
  if (local.startsWith('inactive')) {
    return refuse(
      422,
      406,
      `You tried to send to recipient(s) that have been marked as inactive. Found inactive addresses: ${body.To}.`,
    );
  }
  if (local.startsWith('slow')) await new Promise((resolve) => setTimeout(resolve, 10_000));
  return Response.json({
    To: body.To,
    SubmittedAt: new Date().toISOString(),
    MessageID: crypto.randomUUID(),
    ErrorCode: 0,
    Message: 'OK',
  });
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/__sent' && request.method === 'GET') {
      const to = url.searchParams.get('to');
      return Response.json(sent.filter((entry) => entry.body?.To === to));
    }
    if (url.pathname === '/email' && request.method === 'POST') return email(request);
    return refuse(404, 404, 'Not found.');
  },
};

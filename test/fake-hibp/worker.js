/**
 * @module test/fake-hibp
 * A stand-in for the Pwned Passwords range API, run by the test Miniflare as
 * an auxiliary Worker and set as the test Worker's outbound service
 * (`vitest.config.ts`): every `fetch` to the outside world lands here, over
 * the same HTTP request the Worker would send to api.pwnedpasswords.com.
 *
 * Hosts:
 * - `hibp.test`: `GET /range/<5 hex>` answers `SUFFIX:COUNT` lines for the
 *   breached passwords below whose SHA-1 has that prefix, plus padding lines
 *   with a count of 0 when `Add-Padding: true` is sent; `GET /__log` answers
 *   the requests received so far (path and headers), `DELETE /__log` clears it.
 * - `down.test`: every request answers 503.
 * - `slow.test`: never answers within a test's timeout.
 * - `postmark.test`: handed to the fake Postmark API (test/fake-postmark,
 *   the service binding `POSTMARK`), for the mail backend.
 * Anything else: 502, so that a stray outbound request fails loudly.
 */

/** Passwords the fake API knows, with how many breaches they appear in. */
const BREACHED = {
  'violet sunrise over granite 7': 3,
  'amber lantern beneath pines': 1,
};

/** @type {{ path: string, headers: Record<string, string> }[]} */
const log = [];

async function sha1Hex(text) {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)]
    .map((byte) => byte.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
}

function paddingLine(prefix, index) {
  const filler = `${prefix}${index.toString(16)}`.padEnd(35, '0').slice(-35).toUpperCase();
  return `${filler}:0`;
}

async function range(request, prefix) {
  const lines = [];
  for (const [password, count] of Object.entries(BREACHED)) {
    const hash = await sha1Hex(password);
    if (hash.startsWith(prefix)) lines.push(`${hash.slice(5)}:${count}`);
  }
  if (request.headers.get('add-padding') === 'true') {
    for (let i = 0; i < 800; i++) lines.push(paddingLine(prefix, i));
  }
  return new Response(lines.join('\r\n'), { headers: { 'Content-Type': 'text/plain' } });
}

async function hibp(request, url) {
  if (url.pathname === '/__log') {
    if (request.method === 'DELETE') log.length = 0;
    return Response.json(log);
  }
  log.push({ path: url.pathname + url.search, headers: Object.fromEntries(request.headers) });
  const match = /^\/range\/([0-9A-F]{5})$/i.exec(url.pathname);
  if (request.method !== 'GET' || !match) return new Response('Not found', { status: 404 });
  return range(request, match[1].toUpperCase());
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    switch (url.hostname) {
      case 'postmark.test':
        return env.POSTMARK.fetch(request);
      case 'hibp.test':
        return hibp(request, url);
      case 'down.test':
        return new Response('Service unavailable', { status: 503 });
      case 'slow.test':
        await new Promise((resolve) => setTimeout(resolve, 30_000));
        return new Response('too late');
      default:
        // Read the body first: the runtime cannot drain a POST's body after the answer.
        await request.arrayBuffer();
        return new Response(`no fake for ${url.hostname}`, { status: 502 });
    }
  },
};

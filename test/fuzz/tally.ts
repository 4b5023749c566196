/**
 * @module fuzz/tally
 * What the fuzzer reached. A property that only ever saw 400s would pass
 * without proving much, so the run ends by checking that the cases got
 * through the parsers and the authentication into the handlers: logins that
 * issue credentials, authenticated answers, protected files served, each
 * kind of refusal.
 */
import type { Exchange } from './oracle';

/** Statuses a healthy run must have produced, with what each one shows. */
const EXPECTED: Record<number, string> = {
  200: 'a handler answered',
  201: 'an account or a token was created',
  204: 'a token or a session was revoked',
  302: 'a redirect (login, logout, gate)',
  400: 'a validation or parse error',
  401: 'an authentication failure',
  403: 'a permission or CSRF refusal',
  404: 'an unknown path or id',
  405: 'a wrong method',
  413: 'a body over the limit',
  415: 'an unsupported media type',
};

export class Tally {
  readonly statuses = new Map<number, number>();
  /** Authenticated answers from the routes behind `IsAuthenticated`. */
  signedIn = 0;
  /** Protected files served through the gate. */
  gatedFiles = 0;
  cases = 0;

  add(x: Exchange): void {
    const { status } = x.answer;
    this.cases += 1;
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    const path = new URL(x.request.url).pathname;
    if (status === 200 && /^\/api\/(me|tokens|auth\/sessions)\/?$/.test(path)) this.signedIn += 1;
    if (status === 200 && path.startsWith('/app/') && x.credentialed) this.gatedFiles += 1;
  }

  /** What a run of at least a few hundred cases must have reached; empty when it did. */
  gaps(): string[] {
    const out = Object.entries(EXPECTED)
      .filter(([status]) => !this.statuses.has(Number(status)))
      .map(([status, what]) => `no ${status} (${what})`);
    if (this.signedIn === 0)
      out.push('no authenticated answer from /api/me/, /api/tokens/ or sessions');
    if (this.gatedFiles === 0) out.push('no protected file served to a credential');
    return out;
  }

  summary(): string {
    const statuses = [...this.statuses].sort(([a], [b]) => a - b);
    return `${this.cases} cases; statuses ${statuses.map(([s, n]) => `${s}×${n}`).join(' ')}; signed-in answers ${this.signedIn}; protected files served ${this.gatedFiles}`;
  }
}

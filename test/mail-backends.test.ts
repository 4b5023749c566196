/**
 * The mail backends that send: Postmark over HTTPS, against the fake API in
 * test/fake-postmark (reached as `postmark.test` through the test Worker's
 * outbound service), and Cloudflare's `send_email` binding, miniflare's local
 * one (it may send only to ada@mail.test, see vitest.config.ts). Failures
 * must become a `mail_failed` event and a log line that carries neither the
 * API key, nor the mail (its links hold secrets), nor the recipient.
 */
import { env } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { parseConfig } from '../src/config';
import type { Mail } from '../src/mail/types';
import { createServices } from '../src/services';
import { cloudflareStores } from '../src/storage/cloudflare';
import { makeApp, makeUser, testVars } from './helpers';

const KEY = 'fake-postmark-server-token-7f3a9c';
const SECRET_LINK = 'https://site.example/reset/MQ/c3-secret-reset-token-91b2/';
const POSTMARK = {
  EMAIL_BACKEND: 'postmark',
  EMAIL_API_KEY: KEY,
  EMAIL_API_URL: 'https://postmark.test/email',
  DEFAULT_FROM_EMAIL: 'Edge Site <noreply@site.example>',
  EMAIL_TIMEOUT: '3',
};
const CLOUDFLARE = { EMAIL_BACKEND: 'cloudflare', DEFAULT_FROM_EMAIL: 'noreply@site.example' };

interface Received {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** A mail to `local…@example.com`, unique to the test, with a secret link in both parts. */
function mailTo(local: string): Mail {
  const to = `${local}-${crypto.randomUUID().slice(0, 8)}@example.com`;
  return {
    to,
    subject: '[Edge Site] Reset your password',
    text: `Choose a new password: ${SECRET_LINK}`,
    html: `<p><a href="${SECRET_LINK}">Choose a new password</a></p>`,
  };
}

function services(settings: Record<string, unknown>, sendEmail: SendEmail | undefined = env.EMAIL) {
  return createServices(parseConfig(testVars(settings)), cloudflareStores(env), undefined, {
    sendEmail,
  });
}

async function received(to: string): Promise<Received[]> {
  const res = await fetch(`https://postmark.test/__sent?to=${encodeURIComponent(to)}`);
  return (await res.json()) as Received[];
}

let logged: MockInstance[] = [];

/** Everything written to the console during the test, as one string. */
function logs(): string {
  return logged.flatMap((spy) => spy.mock.calls.flat().map(String)).join('\n');
}

async function failures(service: ReturnType<typeof services>, userId: number) {
  const { events } = await service.audit.list({ userId, limit: 5, offset: 0 });
  return events.filter((event) => event.type === 'mail_failed');
}

beforeEach(() => {
  logged = (['log', 'warn', 'error'] as const).map((level) =>
    vi.spyOn(console, level).mockImplementation(() => {}),
  );
});

afterEach(() => vi.restoreAllMocks());

describe('the Postmark backend (EMAIL_BACKEND=postmark)', () => {
  it('posts the mail to the API with the server token, from DEFAULT_FROM_EMAIL, with its text and HTML parts', async () => {
    const mail = mailTo('ada');
    await services(POSTMARK).mail.send(mail, null);
    const [request, ...more] = await received(mail.to);
    expect(more).toEqual([]);
    expect(request).toMatchObject({ method: 'POST', path: '/email' });
    expect(request!.headers['x-postmark-server-token']).toBe(KEY);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers.accept).toBe('application/json');
    expect(request!.body).toEqual({
      From: 'Edge Site <noreply@site.example>',
      To: mail.to,
      Subject: '[Edge Site] Reset your password',
      TextBody: mail.text,
      HtmlBody: mail.html,
      MessageStream: 'outbound',
      TrackLinks: 'None',
      TrackOpens: false,
    });
    expect(logs()).toBe('');
  });

  it.each([
    ['a 500', 'fail', 'postmark: answered 500 (ErrorCode 0)'],
    ['a refused recipient (422)', 'inactive', 'postmark: answered 422 (ErrorCode 406)'],
  ])(
    'records %s as a mail_failed event, and logs the status without the key, the mail or the address',
    async (_, local, reason) => {
      const user = await makeUser(makeApp());
      const service = services(POSTMARK);
      const mail = mailTo(local);
      await expect(service.mail.send(mail, user.id)).resolves.toBeUndefined();
      expect(await received(mail.to)).toHaveLength(1);
      expect(await failures(service, user.id)).toMatchObject([
        { detail: { backend: 'postmark', subject: mail.subject } },
      ]);
      const log = logs();
      expect(log).toContain(`mail to user ${user.id} not sent: MailDeliveryError: ${reason}`);
      expect(log).toContain('"edgeauth_event":"mail_failed"');
      for (const secret of [KEY, 'c3-secret-reset-token', mail.to, 'inactive addresses']) {
        expect(log).not.toContain(secret);
      }
    },
  );

  it('treats a refused server token (401) as a failed send, never as sent', async () => {
    const user = await makeUser(makeApp());
    const service = services({ ...POSTMARK, EMAIL_API_KEY: 'a-revoked-server-token' });
    await service.mail.send(mailTo('ada'), user.id);
    expect(await failures(service, user.id)).toHaveLength(1);
    expect(logs()).toContain('postmark: answered 401 (ErrorCode 10)');
    expect(logs()).not.toContain('a-revoked-server-token');
  });

  it('gives up after EMAIL_TIMEOUT and records the failure', async () => {
    const user = await makeUser(makeApp());
    const service = services({ ...POSTMARK, EMAIL_TIMEOUT: '0.3' });
    const started = Date.now();
    await service.mail.send(mailTo('slow'), user.id);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await failures(service, user.id)).toHaveLength(1);
    expect(logs()).toContain('postmark: no answer within 0.3s (EMAIL_TIMEOUT)');
  });

  it('records an error page in front of the API (a 502) as a failed send', async () => {
    const user = await makeUser(makeApp());
    // The outbound fake answers 502 for a host it does not play.
    const service = services({ ...POSTMARK, EMAIL_API_URL: 'https://nowhere.test/email' });
    await service.mail.send(mailTo('ada'), user.id);
    expect(await failures(service, user.id)).toHaveLength(1);
    expect(logs()).toContain('postmark: answered 502');
  });
});

describe("the Cloudflare backend (EMAIL_BACKEND=cloudflare, the send_email binding 'EMAIL')", () => {
  it('hands the binding one message from DEFAULT_FROM_EMAIL with the text and HTML parts', async () => {
    const sent: unknown[] = [];
    const binding = {
      send: async (message: unknown) => {
        sent.push(message);
        return { messageId: 'x' };
      },
    } as unknown as SendEmail;
    const mail = mailTo('ada');
    await services(
      { ...CLOUDFLARE, DEFAULT_FROM_EMAIL: 'Edge Site <noreply@site.example>' },
      binding,
    ).mail.send(mail);
    expect(sent).toEqual([
      {
        from: { name: 'Edge Site', email: 'noreply@site.example' },
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
      },
    ]);
  });

  it("is accepted by the runtime's send_email binding", async () => {
    const user = await makeUser(makeApp());
    const handed: unknown[] = [];
    const binding = {
      send: (message: EmailMessageBuilder) => {
        handed.push(message);
        return env.EMAIL.send(message);
      },
    } as SendEmail;
    const service = services(CLOUDFLARE, binding);
    await service.mail.send({ ...mailTo('ada'), to: 'ada@mail.test' }, user.id);
    expect(handed).toHaveLength(1);
    expect(await failures(service, user.id)).toEqual([]);
    expect(logs()).not.toContain('not sent');
  });

  it('records a refusal of the binding as mail_failed, without the address in the log', async () => {
    const user = await makeUser(makeApp());
    const service = services(CLOUDFLARE);
    const mail = mailTo('grace');
    await expect(service.mail.send(mail, user.id)).resolves.toBeUndefined();
    expect(await failures(service, user.id)).toMatchObject([{ detail: { backend: 'cloudflare' } }]);
    expect(logs()).toContain(
      'cloudflare: send_email refused the mail: Error: email to <address> not allowed',
    );
    expect(logs()).not.toContain(mail.to);
  });
});

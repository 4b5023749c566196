/**
 * @module routes/dev
 * `GET /api/dev/outbox/`: the development outbox, newest first, as
 * `{"to", "subject", "text", "html", "sent_at"}`. Declared only with
 * `ENVIRONMENT=development`; in production the path does not exist (404).
 * No authentication: it is a developer's local tool, like Django's
 * console email backend, and the mails it shows were sent in development.
 */
import type { AuthConfig } from '../config';
import { operation, type RouteDeclaration } from './declare';
import { json } from './responses';

/** How many mails the outbox lists. */
const OUTBOX_LIMIT = 100;

export function devRoutes(config: AuthConfig): RouteDeclaration[] {
  if (config.ENVIRONMENT !== 'development') return [];
  return [
    {
      path: '/api/dev/outbox/',
      name: 'Outbox',
      tag: 'Development',
      operations: {
        GET: operation({
          summary: 'The mails sent in the last hour (development only)',
          authentication: [],
          permissions: [],
          responses: {
            200: json('Newest first.', {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  to: { type: 'string' },
                  subject: { type: 'string' },
                  text: { type: 'string' },
                  html: { type: 'string' },
                  sent_at: { type: 'string', format: 'date-time' },
                },
                required: ['to', 'subject', 'text', 'html', 'sent_at'],
              },
            }),
          },
          async handler(c) {
            const mails = await c.var.edgeauth.services.mail.outbox(OUTBOX_LIMIT);
            return c.json(
              mails.map(({ sentAt, ...mail }) => ({
                ...mail,
                sent_at: new Date(sentAt).toISOString(),
              })),
              200,
              { 'Cache-Control': 'no-store' },
            );
          },
        }),
      },
    },
  ];
}

/**
 * @module http/defer
 * Work that must not hold up the response (throttled `last_used` writes):
 * handed to the Worker's `waitUntil` when there is one, awaited otherwise.
 * A failure is logged, never reported to the client it was not promised to.
 */
import type { Context } from 'hono';
import { describe } from '../errors';

export async function defer(
  c: Context,
  label: string,
  work: () => Promise<unknown>,
): Promise<void> {
  const task = work().catch((err: unknown) => {
    console.error(`edgeauth: ${label} failed: ${describe(err)}`);
  });
  let ctx: { waitUntil(promise: Promise<unknown>): void } | undefined;
  try {
    ctx = c.executionCtx;
  } catch {
    ctx = undefined;
  }
  if (ctx) ctx.waitUntil(task);
  else await task;
}

/**
 * Deliberate load shedding for the routes that render: one isolate renders on one thread, so every request it takes
 * on beyond what it can finish soon only waits longer, holding its buffers, until the client gives up. Past the
 * limit a request is refused at once with `503 {"error":"overloaded"}`, `Retry-After: 1` and `no-store`, so the
 * client learns it now and can try again in a second instead of timing out.
 */
import type { MiddlewareHandler } from 'hono';
import { jsonError } from './errors';

/**
 * Image requests one isolate works on at once. 64 connections of cache misses put at most 42 in the isolate at
 * once (the rest wait in workerd), so this is 3× what the soak needs, and over the fuzz test's 50 at a time: neither
 * can reach it. At the 130–200 faces/s one busy core rendered (docs/reliability-notes.md), the last admitted request
 * has about 1 s of work in front of it, well inside a client's usual 10 s timeout.
 */
export const MAX_IN_FLIGHT = 128;

/** Middleware that admits at most `limit` requests at a time and answers the rest with the 503 above. */
export function shedLoad(limit = MAX_IN_FLIGHT): MiddlewareHandler {
  let inFlight = 0;
  return async (c, next) => {
    if (inFlight >= limit) {
      return jsonError(c, 503, 'overloaded', `this worker is rendering ${inFlight} images at once, its limit; retry in a second`, {
        'Retry-After': '1',
        'Cache-Control': 'no-store',
      });
    }
    inFlight++;
    try {
      await next();
    } finally {
      inFlight--;
    }
  };
}

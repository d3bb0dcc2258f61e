/**
 * The rate limit's configuration contract, apart from the limiter itself (./rate-limit.ts) so that the dev harness
 * (scripts/lib/miniflare.ts), which the browser tests' DOM-typed config also compiles, can read it without the Workers
 * types the limiter needs.
 */
import { z } from 'zod';

/** The binding's name in wrangler.toml's `[[ratelimits]]`. */
export const RATE_LIMIT_BINDING = 'RATE_LIMITER';

/**
 * The binding's `simple = { limit, period }`, repeated in `[vars] RATE_LIMIT` because a binding does not tell the
 * worker its own numbers: /healthz shows them and `Retry-After` is the period. test/unit/rate-limit.test.ts checks
 * that wrangler.toml says the same in both places.
 */
export const rateLimitConfig = z.object({
  limit: z.number().int().positive(),
  period: z.union([z.literal(10), z.literal(60)]),
});

/** What {@link rateLimitConfig} accepts: at most `limit` renders per client per `period` seconds. */
export type RateLimitConfig = z.infer<typeof rateLimitConfig>;

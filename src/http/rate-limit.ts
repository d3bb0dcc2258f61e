/**
 * Per-client limit on renders, through Cloudflare's Workers Rate Limiting binding. Only requests that are about to
 * render count: the image routes ask {@link limitRender} after their Cache API lookup missed and before decoding, so
 * cache hits and 304s are never limited and an attacker's unique seeds are (docs/abuse.md). A render counts once per
 * face it decodes (an interpolation of 16 steps 16 times): CPU time follows the faces, so the limit bounds CPU. Without the binding
 * (self-hosting, most tests) the worker renders unlimited and says so in /healthz.
 */
import type { Context } from 'hono';
import type { AppEnv } from './app-env';
import { jsonError } from './errors';
import { RATE_LIMIT_BINDING, rateLimitConfig, type RateLimitConfig } from './rate-limit-config';

/** The longest period the binding allows: a client told to wait this long always finds a fresh window. */
const LONGEST_PERIOD = 60;

/** Key of requests without `CF-Connecting-IP`: they share one counter, so leaving the header out buys nothing. */
export const NO_CLIENT_IP = 'no-client-ip';

/** The numbers of `[vars] RATE_LIMIT`, or undefined when absent or malformed. */
function configuredLimit(env: AppEnv['Bindings']): RateLimitConfig | undefined {
  const parsed = rateLimitConfig.safeParse(env.RATE_LIMIT);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The counter a request counts against: its `CF-Connecting-IP` (which Cloudflare sets and clients cannot forge there),
 * an IPv6 address by its /64 (one subscriber's usual allocation, so rotating addresses inside it buys no fresh
 * counter), an IPv4-mapped IPv6 address as its IPv4 address, and {@link NO_CLIENT_IP} without the header.
 */
export function clientKey(ip: string | undefined): string {
  const address = ip?.trim().toLowerCase();
  if (!address) return NO_CLIENT_IP;
  if (!address.includes(':')) return address;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address);
  if (mapped) return mapped[1];
  const [head, tail, ...rest] = address.split('::');
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const [before, after] = [groups(head), groups(tail)];
  const valid = rest.length === 0 && [...before, ...after].every((g) => /^[0-9a-f]{1,4}$/.test(g));
  const missing = 8 - before.length - after.length;
  if (!valid || (tail === undefined ? missing !== 0 : missing < 1)) return address;
  const full = [...before, ...Array(tail === undefined ? 0 : missing).fill('0'), ...after];
  return `${full.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/** /healthz's view of the limiter: the binding, its numbers and the key, or "unlimited" without the binding. */
export function rateLimitState(env: AppEnv['Bindings']) {
  if (!env[RATE_LIMIT_BINDING]) return 'unlimited' as const;
  const config = configuredLimit(env);
  return {
    binding: RATE_LIMIT_BINDING,
    limit: config?.limit ?? null,
    periodSeconds: config?.period ?? null,
    counts: 'faces decoded on cache misses, per client',
    key: 'CF-Connecting-IP (IPv6 by /64)',
  };
}

/**
 * Counts a render of `faces` faces against the client's limit, once per face (the binding has no weights; its calls
 * are answered in the Cloudflare location, without a round trip elsewhere). Returns the 429 to answer instead when
 * any count is over the limit (JSON, `Retry-After`, `no-store`; CORS comes from the app-wide middleware), or
 * undefined to go on rendering.
 */
export async function limitRender(c: Context<AppEnv>, faces: number): Promise<Response | undefined> {
  const limiter = c.env[RATE_LIMIT_BINDING];
  if (!limiter) return undefined;
  const key = clientKey(c.req.header('CF-Connecting-IP'));
  const outcomes = await Promise.all(Array.from({ length: faces }, () => limiter.limit({ key })));
  if (outcomes.every((o) => o.success)) return undefined;
  const config = configuredLimit(c.env);
  const retryAfter = config?.period ?? LONGEST_PERIOD;
  const over = config ? `more than ${config.limit} uncached faces in ${config.period} s` : 'too many uncached faces';
  return jsonError(c, 429, 'rate_limited', `${over} from this client; cached images are still served; retry in ${retryAfter} s`, {
    'Retry-After': String(retryAfter),
    'Cache-Control': 'no-store',
  });
}

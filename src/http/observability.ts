/**
 * One structured log line per request, and its metrics data point (./metrics.ts). The line is one `console.log` of an
 * object, which Workers Logs stores with every field indexed (`wrangler tail` and `wrangler dev` print it): the route's
 * pattern and status, the error code, what the cache did and which image it was, the stages' milliseconds as
 * Server-Timing has them, whether the client was rate-limited, the Cloudflare ray id and location. A bug's 500 is a
 * `console.error` of the same fields with the stack; other 5xx are `console.warn`.
 *
 * Seeds are often e-mail addresses, and client addresses are personal data too: the line holds neither, only keyed
 * hashes of them (./keyed-hash.ts). Nothing else in it comes from the request as sent: no path or query (which hold
 * seeds), no error detail (which may quote them), no headers but a well-formed ray id. The stack, the one free text,
 * has the request's seeds and client address cut out, should an error message ever quote them.
 *
 * Deployed Workers advance their clock only on I/O, so the CPU-bound stages (decode, resize, encode) read 0 there;
 * docs/operations.md says where a miss's CPU time is found instead.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { AppEnv } from './app-env';
import { hashKey, keyedHash, type HashKeySource } from './keyed-hash';
import { writeDataPoint } from './metrics';
import type { ImageFormat } from '../runtime/encode';
import { clientKey } from './rate-limit';

/**
 * What an image route did with a request (src/http/image-response.ts sets it): how the cache answered
 * (`not-modified`: the client's own copy, a 304), what it was asked for, and the bytes sent.
 */
export interface ImageOutcome {
  cache: 'hit' | 'miss' | 'not-modified';
  /** The model version. */
  model: string;
  format: ImageFormat;
  /** Faces in the image (an interpolation's steps). */
  faces: number;
  /** Image bytes sent: unknown for a 304 or a refused render, and for a hit the cache stored without a length. */
  bytes?: number;
}

/** The log line of a request, which is also what its data point is made from. */
export interface RequestRecord {
  /** `GET /face/:seed 200 miss`: the line at a glance. */
  message: string;
  method: string;
  /** The route's pattern as the app spells it (`/face/:seed`), never the path; null when no route matched. */
  route: string | null;
  status: number;
  /** `hit`, `miss`, `not-modified` for an image, `ok` for any other success, else the error code. */
  outcome: string;
  /** The `error` code of an error answer. */
  error?: string;
  /** What an image route did: cache, model version, format, faces, bytes sent. */
  image?: ImageOutcome;
  /** The image's size parameters as the route accepted them (`size`). */
  pixels?: Record<string, number>;
  /** Server-Timing's stages in ms (queue, decode, resize, encode, total; `cache;desc="hit"` has no duration). */
  ms: Record<string, number>;
  /** Refused by the per-client render limit (a 429). */
  rateLimited: boolean;
  /** Cloudflare's ray id of the request (`CF-Ray`), to find it in Cloudflare's own logs. */
  ray?: string;
  /** The Cloudflare location that ran it. */
  colo?: string;
  /** Keyed hashes of the request's seeds, by parameter (`seed`, or `from` and `to`), once its route accepted them. */
  seeds: Record<string, string>;
  /** Keyed hash of the client (its rate-limit key: the IPv4 address, or the IPv6 /64). */
  client?: string;
  /** Which key made the hashes: the `LOG_HASH_KEY` secret, or this isolate's random one (./keyed-hash.ts). */
  hashKey: HashKeySource;
  /** A bug's stack (the 500s), with the request's seeds and client address cut out. */
  stack?: string;
}

/** `CF-Ray` as Cloudflare writes it: 16 hex digits, then the location. Anything else is not logged. */
const RAY = /^[0-9a-f]{16}(-[A-Z]{3})?$/;

/** Parameters that hold seeds, in the order the line lists them. */
const SEED_PARAMETERS = ['seed', 'from', 'to'] as const;

/** Parameters that size an image (absent ones took their defaults: `size` 128, `dpr` 1). */
const SIZE_PARAMETERS = ['size', 'width', 'height', 'dpr'] as const;

/** Shorter values are not cut out of a stack: they cannot identify anyone, and cutting them would garble it. */
const MIN_REDACTED_LENGTH = 4;

/** What the route's validator accepted (`c.req.valid`), or undefined when validation failed or never ran. */
function validated(c: Context, target: 'param' | 'query'): Record<string, unknown> | undefined {
  return (c.req.valid as (target: string) => Record<string, unknown> | undefined)(target);
}

/** The values of `names` the route accepted that are of `type`, by name (`/face`'s seed without its extension). */
function accepted(c: Context, names: readonly string[], type: 'string' | 'number'): [string, unknown][] {
  const values = { ...validated(c, 'query'), ...validated(c, 'param') };
  return names.filter((name) => typeof values[name] === type).map((name) => [name, values[name]]);
}

/** The pattern of the route that answered: the last matched handler's, not a middleware's (method ALL). */
function routePattern(c: Context): string | null {
  return matchedRoutes(c).filter((r) => r.method !== 'ALL').at(-1)?.path ?? null;
}

/** Server-Timing's durations by metric name (`decode;dur=2.6` → decode: 2.6). */
export function serverTimings(header: string | null): Record<string, number> {
  const timings: Record<string, number> = {};
  for (const metric of header?.split(',') ?? []) {
    const [name, ...params] = metric.split(';').map((s) => s.trim());
    const dur = params.find((p) => p.startsWith('dur='));
    if (name && dur) timings[name] = Number(dur.slice(4));
  }
  return timings;
}

/**
 * The ways `value` can be spelled in a message about a request: as is, percent-encoded (as the app builds URLs, and as
 * a URL's path and query then serialize that), and form-encoded.
 */
export function spellings(value: string): Set<string> {
  const encoded = encodeURIComponent(value);
  const url = new URL(`http://x/${encoded}?s=${encoded}`);
  return new Set([value, encoded, encodeURI(value), url.pathname.slice(1), url.search.slice(3), new URLSearchParams({ s: value }).toString().slice(2)]);
}

/** `text` with every spelling of each secret replaced by `[redacted]`. */
export function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets.filter((s) => s.length >= MIN_REDACTED_LENGTH)) {
    for (const spelling of spellings(secret)) out = out.split(spelling).join('[redacted]');
  }
  return out;
}

/** The record of the request `c` has answered. */
async function requestRecord(c: Context<AppEnv>): Promise<RequestRecord> {
  const { status } = c.res;
  const route = routePattern(c);
  const error = c.get('errorCode');
  const image = c.get('image');
  const outcome = error ?? image?.cache ?? (status < 400 ? 'ok' : 'error');
  const { source, key } = hashKey(c.env?.LOG_HASH_KEY);
  const seeds = accepted(c, SEED_PARAMETERS, 'string') as [string, string][];
  const pixels = accepted(c, SIZE_PARAMETERS, 'number') as [string, number][];
  const ip = c.req.header('CF-Connecting-IP')?.trim();
  const ray = c.req.header('CF-Ray');
  const colo = (c.req.raw as { cf?: { colo?: unknown } }).cf?.colo;
  const exception = c.get('exception');
  const stack = exception instanceof Error ? exception.stack ?? String(exception) : exception === undefined ? undefined : String(exception);
  const hashes = await Promise.all(seeds.map(async ([name, seed]) => [name, await keyedHash(await key, seed)] as const));
  return {
    message: `${c.req.method} ${route ?? '(no route)'} ${status} ${outcome}`,
    method: c.req.method,
    route,
    status,
    outcome,
    ...(error && { error }),
    ...(image && { image }),
    ...(image && pixels.length > 0 && { pixels: Object.fromEntries(pixels) }),
    ms: serverTimings(c.res.headers.get('Server-Timing')),
    rateLimited: status === 429,
    ...(ray && RAY.test(ray) && { ray }),
    ...(typeof colo === 'string' && /^[A-Z]{3}$/.test(colo) && { colo }),
    seeds: Object.fromEntries(hashes),
    ...(ip && { client: await keyedHash(await key, clientKey(ip)) }),
    hashKey: source,
    ...(stack !== undefined && { stack: redact(stack, [...seeds.map(([, seed]) => seed), ...(ip ? [ip, clientKey(ip)] : [])]) }),
  };
}

/**
 * `record` as workerd's console prints it (`wrangler dev`, `npm start`, the tests): one JSON line, rather than
 * inspect notation spread over several. Workers Logs and `wrangler tail` still get the object itself, with its fields
 * indexed: the printer is a symbol-keyed property, which no serialization of the object carries.
 */
function asJsonLine<T extends object>(record: T): T {
  return Object.defineProperty(record, Symbol.for('nodejs.util.inspect.custom'), { value: () => JSON.stringify(record) });
}

/**
 * Middleware, outermost but for the headers it must see set: after the request is answered, logs its line and writes
 * its data point (to `METRICS` when bound).
 */
export const observe: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  let record: RequestRecord;
  try {
    record = await requestRecord(c);
  } catch (err) {
    // The answer stands whatever becomes of its line; the error here names no part of the request.
    console.error('seedface: no log line for this request', err);
    return;
  }
  const line = asJsonLine(record);
  if (record.stack !== undefined) console.error(line);
  else if (record.status >= 500) console.warn(line);
  else console.log(line);
  writeDataPoint(c.env?.METRICS, record);
};

/**
 * The caching contract of image routes: strong ETag and 304, year-long immutable caching, CORS, model version,
 * Server-Timing, and the Cache API (which only works on a custom domain; on *.workers.dev it is a no-op).
 */
import type { Context } from 'hono';
import type { ModelEntry } from '../runtime/model-store';

/** Headers every image response carries, the 304 included. */
function baseHeaders(etag: string, entry: ModelEntry): Record<string, string> {
  return {
    'Cache-Control': 'public, max-age=31536000, immutable',
    ETag: etag,
    'Access-Control-Allow-Origin': '*',
    'X-Model-Version': entry.version,
  };
}

/** True when `If-None-Match` lists `etag` (weak comparison, as RFC 9110 prescribes for this header) or is `*`. */
function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag.replace(/^W\//, '') === etag;
  });
}

/** What a route renders on a cache miss. */
export interface Rendered {
  png: Uint8Array;
  /** Server-Timing metrics in ms, e.g. `{ decode, resize, encode }`. */
  timings: Record<string, number>;
}

/** Everything {@link serveImage} needs from a route. */
export interface ImageRequest {
  entry: ModelEntry;
  /** Quoted strong ETag, unique per model bytes, seeds and normalised parameters. */
  etag: string;
  /** Canonical path + query (normalised params, resolved version), so equivalent URLs share one cache entry. */
  cacheKey: string;
  render: () => Promise<Rendered>;
}

/** 304 if the client has it, else the edge cache, else renders and stores the PNG in the background. */
export async function serveImage(c: Context, req: ImageRequest): Promise<Response> {
  const headers = baseHeaders(req.etag, req.entry);
  if (matchesIfNoneMatch(c.req.header('If-None-Match'), req.etag)) return new Response(null, { status: 304, headers });

  const cache = (globalThis.caches as unknown as { default?: Cache } | undefined)?.default;
  const key = new Request(new URL(req.cacheKey, c.req.url).toString());
  const hit = cache && (await cache.match(key));
  if (hit) {
    const response = new Response(hit.body, hit);
    response.headers.set('Server-Timing', 'cache;desc=hit');
    return response;
  }

  const { png, timings } = await req.render();
  const response = new Response(png, {
    headers: {
      ...headers,
      'Content-Type': 'image/png',
      'Server-Timing': Object.entries(timings).map(([name, ms]) => `${name};dur=${ms.toFixed(2)}`).join(', '),
    },
  });
  if (cache) c.executionCtx.waitUntil(cache.put(key, response.clone()));
  return response;
}

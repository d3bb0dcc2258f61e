/**
 * The caching contract of image routes: strong ETag and 304, year-long immutable caching, model version,
 * and the Cache API (which only works on a custom domain; on *.workers.dev it is a no-op).
 */
import type { Context } from 'hono';
import { setMetric } from 'hono/timing';
import { IMAGE_FORMATS, type ImageFormat } from '../runtime/encode';
import type { ModelEntry } from '../runtime/manifest';
import type { AppEnv } from './app-env';
import type { ImageOutcome } from './observability';
import { limitRender } from './rate-limit';

/** Cache-Control of every response whose URL always means the same bytes: images, model files, ORT's wasm. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Headers every image response carries, the 304 included (CORS comes from the app-wide middleware). */
function baseHeaders({ etag, entry, vary }: ImageRequest): Record<string, string> {
  return { 'Cache-Control': IMMUTABLE, ETag: etag, 'X-Model-Version': entry.version, ...(vary ? { Vary: vary } : {}) };
}

/** True when `If-None-Match` lists `etag` (weak comparison, as RFC 9110 prescribes for this header) or is `*`. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag.replace(/^W\//, '') === etag;
  });
}

/** Everything {@link serveImage} needs from a route. */
export interface ImageRequest {
  entry: ModelEntry;
  /** Quoted strong ETag, unique per model bytes, seeds and normalised parameters. */
  etag: string;
  /** Canonical path + query (normalised params, resolved version), so equivalent URLs share one cache entry. */
  cacheKey: string;
  /** The file format `render` writes, which names the Content-Type. */
  format: ImageFormat;
  /** `Vary` of a URL whose bytes depend on a request header (`format=auto`: Accept); the cached copy carries none. */
  vary?: string;
  /** Faces a render decodes: what it counts against the client's rate limit (src/http/rate-limit.ts). */
  faces: number;
  /** Makes the image on a cache miss (and reports its stages with hono/timing's setMetric). */
  render: () => Promise<Uint8Array>;
}

/**
 * 304 if the client has it, else the edge cache, else (within the client's rate limit) renders and stores the image
 * in the background. Says which it was, for the request's log line and data point (src/http/observability.ts).
 */
export async function serveImage(c: Context<AppEnv>, req: ImageRequest): Promise<Response> {
  const headers = baseHeaders(req);
  const outcome = (cache: ImageOutcome['cache'], bytes?: number) =>
    c.set('image', { cache, model: req.entry.version, format: req.format, faces: req.faces, bytes });
  if (matchesIfNoneMatch(c.req.header('If-None-Match'), req.etag)) {
    outcome('not-modified');
    return new Response(null, { status: 304, headers });
  }

  const cache = caches.default;
  const key = new Request(new URL(req.cacheKey, c.req.url).toString());
  const hit = await cache.match(key);
  if (hit) {
    setMetric(c, 'cache', 'hit');
    const length = hit.headers.get('Content-Length');
    outcome('hit', length === null ? undefined : Number(length));
    // A matched response's headers are immutable; the timing middleware appends to them, so copy.
    const response = new Response(hit.body, hit);
    if (req.vary) response.headers.set('Vary', req.vary);
    return response;
  }

  outcome('miss');
  const limited = await limitRender(c, req.faces);
  if (limited) return limited;
  const bytes = await req.render();
  outcome('miss', bytes.length);
  const response = new Response(bytes, { headers: { ...headers, 'Content-Type': IMAGE_FORMATS[req.format].contentType } });
  const stored = response.clone();
  // stored under the canonical key of the format chosen, for every URL that means these bytes, so without Vary
  stored.headers.delete('Vary');
  c.executionCtx.waitUntil(cache.put(key, stored));
  return response;
}

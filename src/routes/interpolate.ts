/**
 * GET /interpolate?from=&to= — a morph between two seeds' faces along the great circle between their latents,
 * decoded in one batch: a horizontal strip PNG, or an APNG that plays there and back. Attribute strengths shift both
 * ends before interpolating.
 */
import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import type { AppEnv } from '../http/app-env';
import { requestStrengths, strengthsQuery, strengthsTag } from '../http/attributes';
import { onInvalid } from '../http/errors';
import { serveImage } from '../http/image-response';
import { renderPng } from '../http/render';
import { interpolateQuery } from '../http/params';
import { shiftLatent } from '../runtime/attributes';
import { latentFromDigest, seedDigest } from '../runtime/latent';
import { toHex } from '../runtime/hex';
import type { ModelStore } from '../runtime/model-store';
import { encodeApng, encodePng } from '../runtime/png';
import { slerp } from '../runtime/slerp';

/** Display time of one APNG frame. */
const FRAME_MS = 120;

/** Lays square RGBA frames side by side. */
function strip(frames: Uint8Array[], size: number): Uint8Array {
  const row = size * 4, out = new Uint8Array(frames.length * size * row);
  frames.forEach((f, i) => {
    for (let y = 0; y < size; y++) out.set(f.subarray(y * row, (y + 1) * row), (y * frames.length + i) * row);
  });
  return out;
}

/** The interpolation route, serving from `store`. */
export function interpolateRoute(store: ModelStore) {
  return new Hono<AppEnv>().get('/interpolate', zValidator('query', interpolateQuery, onInvalid), async (c) => {
    const query = c.req.valid('query');
    const { from, to, steps, size, format, shape, v } = query;
    const entry = await store.entry(c.env.MODELS, v);
    const strengths = requestStrengths(query, interpolateQuery, entry);
    const [a, b] = await Promise.all([seedDigest(from), seedDigest(to)]);
    const params = `steps=${steps}&size=${size}&format=${format}&shape=${shape}`;
    return serveImage(c, {
      entry,
      etag: `"${entry.sha256.slice(0, 16)}-${toHex(a.subarray(0, 12))}-${toHex(b.subarray(0, 12))}-${steps}-${size}-${format}-${shape}${strengthsTag(entry, strengths)}"`,
      cacheKey: `/interpolate?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&${params}&v=${entry.version}${strengthsQuery(entry, strengths)}`,
      faces: steps,
      render: async () => {
        const model = await store.model(c.env.MODELS, entry.version);
        const [za, zb] = [a, b].map((digest) => shiftLatent(latentFromDigest(digest, entry.latentSize), model.attributes, strengths));
        const latents = Array.from({ length: steps }, (_, i) => slerp(za, zb, i / (steps - 1)));
        const opaque = shape === 'square';
        // There and back: 0 … n-1, then n-2 … 1; the repeated frames are the same arrays, so they compress once.
        return renderPng(c, model, latents, { size, shape }, (rgba) =>
          format === 'apng'
            ? encodeApng([...rgba, ...rgba.slice(1, -1).reverse()], size, size, FRAME_MS, opaque)
            : encodePng(strip(rgba, size), size * steps, size, opaque),
        );
      },
    });
  });
}

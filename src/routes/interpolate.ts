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
import { renderImage } from '../http/render';
import { interpolateQuery } from '../http/params';
import { faceLatent, slerpFrames } from '../runtime/face-latent';
import { seedDigest } from '../runtime/latent';
import { toHex } from '../runtime/hex';
import type { ModelStore } from '../runtime/model-store';

/** The interpolation route, serving from `store`. */
export function interpolateRoute(store: ModelStore) {
  return new Hono<AppEnv>().get('/interpolate', zValidator('query', interpolateQuery, onInvalid), async (c) => {
    const query = c.req.valid('query');
    const { from, to, steps, size, format, shape, v } = query;
    const entry = await store.entry(c.env.MODELS, v);
    const strengths = requestStrengths(query, interpolateQuery, entry);
    const [a, b] = await Promise.all([seedDigest(from), seedDigest(to)]);
    const params = `steps=${steps}&size=${size}&format=${format}&shape=${shape}`;
    // `strip`: the frames side by side in one PNG; `apng`: an animation there and back.
    const image = { format: 'png', layout: format === 'apng' ? 'loop' : 'row', size, shape } as const;
    return serveImage(c, {
      entry,
      format: image.format,
      etag: `"${entry.sha256.slice(0, 16)}-${toHex(a.subarray(0, 12))}-${toHex(b.subarray(0, 12))}-${steps}-${size}-${format}-${shape}${strengthsTag(entry, strengths)}"`,
      cacheKey: `/interpolate?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&${params}&v=${entry.version}${strengthsQuery(entry, strengths)}`,
      faces: steps,
      render: async () => {
        const model = await store.model(c.env.MODELS, entry.version);
        const [za, zb] = [a, b].map((digest) => faceLatent(digest, entry.latentSize, model.attributes, strengths));
        return renderImage(c, model, slerpFrames(za, zb, steps), image);
      },
    });
  });
}

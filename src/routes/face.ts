/**
 * GET /face/:seed and /face/:seed.png — one generated face as PNG. A trailing `.png` is the format, not part of the
 * seed (a seed that itself ends in ".png" is requested as `/face/<seed>.png.png`), so the URL works as a Gravatar
 * `d=` fallback with no query string. Attribute strengths (`?smile=0.8&age=-0.5`) shift the seed's latent first.
 */
import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import type { AppEnv } from '../http/app-env';
import { requestStrengths, strengthsQuery, strengthsTag } from '../http/attributes';
import { onInvalid } from '../http/errors';
import { serveImage } from '../http/image-response';
import { renderImage } from '../http/render';
import { facePath, faceQuery } from '../http/params';
import { faceLatent } from '../runtime/face-latent';
import { seedDigest } from '../runtime/latent';
import { toHex } from '../runtime/hex';
import type { ModelStore } from '../runtime/model-store';

/** The face route, serving from `store`. */
export function faceRoute(store: ModelStore) {
  return new Hono<AppEnv>().get('/face/:seed', zValidator('param', facePath, onInvalid), zValidator('query', faceQuery, onInvalid), async (c) => {
    const { seed } = c.req.valid('param');
    const query = c.req.valid('query');
    const { size, shape, v } = query;
    const entry = await store.entry(c.env.MODELS, v);
    const strengths = requestStrengths(query, faceQuery, entry);
    const digest = await seedDigest(seed);
    const image = { format: 'png', layout: 'row', size, shape } as const;
    return serveImage(c, {
      entry,
      format: image.format,
      etag: `"${entry.sha256.slice(0, 16)}-${toHex(digest.subarray(0, 16))}-${size}-${shape}${strengthsTag(entry, strengths)}"`,
      cacheKey: `/face/${encodeURIComponent(seed)}.png?size=${size}&shape=${shape}&v=${entry.version}${strengthsQuery(entry, strengths)}`,
      faces: 1,
      render: async () => {
        const model = await store.model(c.env.MODELS, entry.version);
        const latent = faceLatent(digest, entry.latentSize, model.attributes, strengths);
        return renderImage(c, model, [latent], image);
      },
    });
  });
}

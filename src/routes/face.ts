/**
 * GET /face/:seed and /face/:seed.png — one generated face as PNG. A trailing `.png` is the format, not part of the
 * seed (a seed that itself ends in ".png" is requested as `/face/<seed>.png.png`), so the URL works as a Gravatar
 * `d=` fallback with no query string.
 */
import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import type { AppEnv } from '../http/app-env';
import { onInvalid } from '../http/errors';
import { serveImage } from '../http/image-response';
import { renderPng } from '../http/render';
import { intParam, seed, shape, version } from '../http/params';
import { latentFromDigest, seedDigest } from '../runtime/latent';
import { toHex } from '../runtime/hex';
import type { ModelStore } from '../runtime/model-store';
import { encodePng } from '../runtime/png';

const pathParams = z.object({ seed: z.string().transform((s) => s.replace(/\.png$/, '')).pipe(seed) });
const query = z.object({ size: intParam(16, 512, 128), shape, v: version }).strict();

/** The face route, serving from `store`. */
export function faceRoute(store: ModelStore) {
  return new Hono<AppEnv>().get('/face/:seed', zValidator('param', pathParams, onInvalid), zValidator('query', query, onInvalid), async (c) => {
    const { seed } = c.req.valid('param');
    const { size, shape, v } = c.req.valid('query');
    const entry = await store.entry(c.env.MODELS, v);
    const digest = await seedDigest(seed);
    return serveImage(c, {
      entry,
      etag: `"${entry.sha256.slice(0, 16)}-${toHex(digest.subarray(0, 16))}-${size}-${shape}"`,
      cacheKey: `/face/${encodeURIComponent(seed)}.png?size=${size}&shape=${shape}&v=${entry.version}`,
      render: async () => {
        const model = await store.model(c.env.MODELS, entry.version);
        const latent = latentFromDigest(digest, entry.latentSize);
        return renderPng(c, model, [latent], { size, shape }, ([rgba]) => encodePng(rgba, size, size, shape === 'square'));
      },
    });
  });
}

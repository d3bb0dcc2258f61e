/**
 * GET /face/:seed, /face/:seed.png, .webp, .jpg, .jpeg — one generated face as PNG (default), WebP or JPEG, in any
 * frame (src/http/frame-query.ts). A trailing image extension is the format, not part of the seed (a seed that itself
 * ends in ".png" is requested as `/face/<seed>.png.png`), so the URL works as a Gravatar `d=` fallback with no query
 * string; `format=` says the same on the extension-less form, and `format=auto` picks WebP or PNG by `Accept`.
 * Attribute strengths (`?smile=0.8&age=-0.5`) shift the seed's latent first.
 */
import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import type { AppEnv } from '../http/app-env';
import { requestStrengths, strengthsQuery, strengthsTag } from '../http/attributes';
import { jsonError, onInvalid } from '../http/errors';
import { frameQuery, frameTag, resolveFrame, transparencyOf } from '../http/frame-query';
import { MAX_SIDE } from '../http/frame-size';
import { serveImage } from '../http/image-response';
import { renderImage } from '../http/render';
import { encodingTag, faceEncoding, facePath, faceQuery, qualityQuery } from '../http/params';
import { IMAGE_FORMATS, type Encoders } from '../runtime/encode';
import { faceLatent } from '../runtime/face-latent';
import { isOpaque } from '../runtime/frame';
import { seedDigest } from '../runtime/latent';
import { toHex } from '../runtime/hex';
import type { ModelStore } from '../runtime/model-store';

/** The face route, serving from `store` and encoding with `encoders`. */
export function faceRoute(store: ModelStore, encoders: Encoders) {
  return new Hono<AppEnv>().get('/face/:seed', zValidator('param', facePath, onInvalid), zValidator('query', faceQuery, onInvalid), async (c) => {
    const { seed, extension } = c.req.valid('param');
    const query = c.req.valid('query');
    const frame = resolveFrame(query, MAX_SIDE.face);
    if ('error' in frame) return jsonError(c, 400, 'invalid_query', frame.error);
    const encoding = faceEncoding(extension, query, transparencyOf(frame), c.req.header('Accept'));
    if ('error' in encoding) return jsonError(c, 400, 'invalid_query', encoding.error);
    const entry = await store.entry(c.env.MODELS, query.v);
    const strengths = requestStrengths(query, faceQuery, entry);
    const digest = await seedDigest(seed);
    const image = { ...encoding, layout: 'row', width: frame.width, height: frame.height, opaque: isOpaque(frame) } as const;
    return serveImage(c, {
      entry,
      format: image.format,
      // one URL, several formats: caches must key `format=auto` responses on Accept
      vary: query.format === 'auto' ? 'Accept' : undefined,
      etag: `"${entry.sha256.slice(0, 16)}-${toHex(digest.subarray(0, 16))}-${frameTag(frame)}${encodingTag(encoding)}${strengthsTag(entry, strengths)}"`,
      cacheKey: `/face/${encodeURIComponent(seed)}.${IMAGE_FORMATS[image.format].extension}?${frameQuery(frame)}${qualityQuery(encoding)}&v=${entry.version}${strengthsQuery(entry, strengths)}`,
      faces: 1,
      render: async () => {
        const model = await store.model(c.env.MODELS, entry.version);
        const latent = faceLatent(digest, entry.latentSize, model.attributes, strengths);
        return renderImage(c, model, encoders, [latent], frame, image);
      },
    });
  });
}

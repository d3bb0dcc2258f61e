/**
 * GET /interpolate?from=&to= — a morph between two seeds' faces along the great circle between their latents,
 * decoded in one batch: a horizontal strip (PNG, WebP or JPEG), or an APNG that plays there and back. Attribute
 * strengths shift both ends before interpolating. There is no animated WebP: the codec build encodes stills only.
 */
import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import type { AppEnv } from '../http/app-env';
import { requestStrengths, strengthsQuery, strengthsTag } from '../http/attributes';
import { jsonError, onInvalid } from '../http/errors';
import { effectsQuery, effectsTag, resolveFrame, transparencyOf } from '../http/frame-query';
import { MAX_SIDE } from '../http/frame-size';
import { serveImage } from '../http/image-response';
import { renderImage } from '../http/render';
import { encodingTag, interpolateEncoding, interpolateQuery, qualityQuery } from '../http/params';
import type { Encoders } from '../runtime/encode';
import { faceLatent, slerpFrames } from '../runtime/face-latent';
import { isOpaque } from '../runtime/frame';
import { seedDigest } from '../runtime/latent';
import { toHex } from '../runtime/hex';
import type { ModelStore } from '../runtime/model-store';

/** The interpolation route, serving from `store` and encoding strips with `encoders`. */
export function interpolateRoute(store: ModelStore, encoders: Encoders) {
  return new Hono<AppEnv>().get('/interpolate', zValidator('query', interpolateQuery, onInvalid), async (c) => {
    const query = c.req.valid('query');
    const { from, to, steps, format, shape, v } = query;
    // square frames: `size` × `dpr`, with the background, grayscale and blur each face of the strip gets
    const frame = resolveFrame(query, MAX_SIDE.interpolate);
    if ('error' in frame) return jsonError(c, 400, 'invalid_query', frame.error);
    const size = frame.width;
    const encoding = interpolateEncoding(query, transparencyOf(frame));
    if ('error' in encoding) return jsonError(c, 400, 'invalid_query', encoding.error);
    const entry = await store.entry(c.env.MODELS, v);
    const strengths = requestStrengths(query, interpolateQuery, entry);
    const [a, b] = await Promise.all([seedDigest(from), seedDigest(to)]);
    const params = `steps=${steps}&size=${size}&format=${format}&shape=${shape}`;
    // `strip`, `webp`, `jpeg`: the frames side by side in one image; `apng`: an animation there and back.
    const image = { ...encoding, layout: format === 'apng' ? 'loop' : 'row', width: size, height: size, opaque: isOpaque(frame) } as const;
    return serveImage(c, {
      entry,
      format: image.format,
      etag: `"${entry.sha256.slice(0, 16)}-${toHex(a.subarray(0, 12))}-${toHex(b.subarray(0, 12))}-${steps}-${size}-${format}-${shape}${effectsTag(frame)}${encodingTag(encoding)}${strengthsTag(entry, strengths)}"`,
      cacheKey: `/interpolate?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&${params}${effectsQuery(frame)}${qualityQuery(encoding)}&v=${entry.version}${strengthsQuery(entry, strengths)}`,
      faces: steps,
      render: async () => {
        const model = await store.model(c.env.MODELS, entry.version);
        const [za, zb] = [a, b].map((digest) => faceLatent(digest, entry.latentSize, model.attributes, strengths));
        return renderImage(c, model, encoders, slerpFrames(za, zb, steps), frame, image);
      },
    });
  });
}

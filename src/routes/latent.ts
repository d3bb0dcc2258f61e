/**
 * GET /latent/:seed — the seed's latent vector as JSON, so clients can check their own implementation; with
 * attribute strengths, the shifted latent the face route decodes.
 */
import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import type { AppEnv } from '../http/app-env';
import { requestStrengths } from '../http/attributes';
import { onInvalid } from '../http/errors';
import { latentPath, latentQuery } from '../http/params';
import { faceLatent } from '../runtime/face-latent';
import { seedDigest } from '../runtime/latent';
import { toHex } from '../runtime/hex';
import type { ModelStore } from '../runtime/model-store';

/** Names the algorithm in src/runtime/latent.ts; changes only if that algorithm ever does. */
const ALGORITHM = 'sha256-philox4x32_10-boxmuller-f32';

/** The latent route; the latent's length comes from the model version in `store`'s manifest. */
export function latentRoute(store: ModelStore) {
  return new Hono<AppEnv>().get(
    '/latent/:seed',
    zValidator('param', latentPath, onInvalid),
    zValidator('query', latentQuery, onInvalid),
    async (c) => {
      const { seed } = c.req.valid('param');
      const query = c.req.valid('query');
      const entry = await store.entry(c.env.MODELS, query.v);
      const strengths = requestStrengths(query, latentQuery, entry);
      const digest = await seedDigest(seed);
      // Only a shifted latent needs the directions; a plain one stays a manifest-only lookup.
      const attributes = strengths.length ? await store.attributes(c.env.MODELS, entry.version) : new Map();
      const body = {
        seed,
        sha256: toHex(digest),
        algorithm: ALGORITHM,
        model: entry.version,
        latentSize: entry.latentSize,
        ...(strengths.length && { attributes: Object.fromEntries(strengths) }),
        latent: Array.from(faceLatent(digest, entry.latentSize, attributes, strengths)),
      };
      return c.json(body, 200, { 'Cache-Control': 'public, max-age=3600' });
    },
  );
}

/** GET /latent/:seed — the seed's latent vector as JSON, so clients can check their own implementation. */
import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import type { AppEnv } from '../http/app-env';
import { onInvalid } from '../http/errors';
import { seed, version } from '../http/params';
import { seedDigest, latentFromDigest } from '../runtime/latent';
import { toHex } from '../runtime/hex';
import type { ModelStore } from '../runtime/model-store';

/** Names the algorithm in src/runtime/latent.ts; changes only if that algorithm ever does. */
const ALGORITHM = 'sha256-philox4x32_10-boxmuller-f32';

/** The latent route; the latent's length comes from the model version in `store`'s manifest. */
export function latentRoute(store: ModelStore) {
  return new Hono<AppEnv>().get(
    '/latent/:seed',
    zValidator('param', z.object({ seed }), onInvalid),
    zValidator('query', z.object({ v: version }).strict(), onInvalid),
    async (c) => {
      const { seed } = c.req.valid('param');
      const entry = await store.entry(c.env.MODELS, c.req.valid('query').v);
      const digest = await seedDigest(seed);
      const body = {
        seed,
        sha256: toHex(digest),
        algorithm: ALGORITHM,
        model: entry.version,
        latentSize: entry.latentSize,
        latent: Array.from(latentFromDigest(digest, entry.latentSize)),
      };
      return c.json(body, 200, { 'Cache-Control': 'public, max-age=3600' });
    },
  );
}

/** GET /healthz — loads the current model (so a broken one shows here as 503) and describes it. */
import { Hono } from 'hono';
import type { AppEnv } from '../http/app-env';
import type { ModelStore } from '../runtime/model-store';

/** The health route for `store`. */
export function healthzRoute(store: ModelStore) {
  return new Hono<AppEnv>().get('/healthz', async (c) => {
    const { entry } = await store.model(c.env.MODELS);
    const manifest = await store.manifest(c.env.MODELS);
    const { name, version, sha256, latentSize, imageSize, valueRange, quantization, dataset, license } = entry;
    return c.json(
      {
        status: 'ok',
        model: { name, version, sha256, latentSize, imageSize, valueRange, quantization, dataset, license },
        versions: manifest.models.map((e) => e.version),
      },
      200,
      { 'Cache-Control': 'no-store' },
    );
  });
}

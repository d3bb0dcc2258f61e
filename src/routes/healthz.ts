/**
 * GET /healthz — loads the current model (so a broken one shows here as 503) and describes it, with the size of the
 * isolate's wasm linear memory (ORT's, and the WebP/JPEG codecs' once started): it counts towards the isolate's
 * memory limit but not in the JS heap that the inspector reports, so `npm run soak` adds the two. `rateLimit` is the
 * per-client limit on renders, or "unlimited" without the binding (src/http/rate-limit.ts).
 */
import { Hono } from 'hono';
import type { AppEnv } from '../http/app-env';
import { rateLimitState } from '../http/rate-limit';
import type { ModelStore } from '../runtime/model-store';

/** The health route for `store`; `wasmMemoryBytes` reads the platform runtime's linear memory. */
export function healthzRoute(store: ModelStore, wasmMemoryBytes: () => number) {
  return new Hono<AppEnv>().get('/healthz', async (c) => {
    const { entry } = await store.model(c.env.MODELS);
    const manifest = await store.manifest(c.env.MODELS);
    const { name, version, sha256, latentSize, imageSize, valueRange, quantization, dataset, license } = entry;
    return c.json(
      {
        status: 'ok',
        model: { name, version, sha256, latentSize, imageSize, valueRange, quantization, dataset, license },
        versions: manifest.models.map((e) => e.version),
        memory: { wasmBytes: wasmMemoryBytes() },
        rateLimit: rateLimitState(c.env),
      },
      200,
      { 'Cache-Control': 'no-store' },
    );
  });
}

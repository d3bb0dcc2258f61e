/**
 * The app without its platform: routes wired to a model store, so that tests in Node can drive the same wiring the
 * worker serves (src/index.ts passes workerd's runtime).
 */
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { timing } from 'hono/timing';
import type { AppEnv } from './http/app-env';
import { onError, onNotFound } from './http/errors';
import { shedLoad } from './http/load-shedding';
import { observe } from './http/observability';
import { securityHeaders } from './http/security-headers';
import type { Encoders } from './runtime/encode';
import type { ModelStore } from './runtime/model-store';
import { apiDocsRoute } from './routes/api-docs';
import { attributesRoute } from './routes/attributes';
import { faceRoute } from './routes/face';
import { healthzRoute } from './routes/healthz';
import { homeRoute } from './routes/home';
import { interpolateRoute } from './routes/interpolate';
import { latentRoute } from './routes/latent';
import { modelsRoute } from './routes/models';
import { ortWasmRoute } from './routes/ort-wasm';

/**
 * The worker's app serving from `store` and encoding with `encoders`; `wasmMemoryBytes` reads the runtime's wasm
 * memory for /healthz.
 */
export function createApp(store: ModelStore, wasmMemoryBytes: () => number, encoders: Encoders) {
  // One count for both rendering routes: they share the isolate's one thread and decoder.
  const shed = shedLoad();
  // Every request gets a log line and a data point, made once everything below has answered. On every response:
  // CORP cross-origin and nosniff, `Access-Control-Allow-Origin: *` (errors included, so browsers can read them; ETag
  // and the model version exposed to scripts), and Server-Timing: total, plus queue/decode/resize/encode or cache=hit.
  const app = new Hono<AppEnv>()
    .use(observe)
    .use(securityHeaders)
    .use(cors({ origin: '*', exposeHeaders: ['ETag', 'X-Model-Version'] }))
    .use(timing({ crossOrigin: true }))
    .use('/face/*', shed)
    .use('/interpolate', shed)
    .route('/', homeRoute)
    .route('/', faceRoute(store, encoders))
    .route('/', interpolateRoute(store, encoders))
    .route('/', latentRoute(store))
    .route('/', attributesRoute(store))
    .route('/', healthzRoute(store, wasmMemoryBytes))
    .route('/', modelsRoute(store))
    .route('/', ortWasmRoute)
    .route('/', apiDocsRoute);
  app.onError(onError);
  app.notFound(onNotFound);
  return app;
}

/** Worker entry: wires the routes to one per-isolate model store. */
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { timing } from 'hono/timing';
import type { AppEnv } from './http/app-env';
import { onError, onNotFound } from './http/errors';
import { ModelStore } from './runtime/model-store';
import { workerdOrt } from './runtime/ort-workerd';
import { attributesRoute } from './routes/attributes';
import { faceRoute } from './routes/face';
import { healthzRoute } from './routes/healthz';
import { homeRoute } from './routes/home';
import { interpolateRoute } from './routes/interpolate';
import { latentRoute } from './routes/latent';
import { modelsRoute } from './routes/models';
import { ortWasmRoute } from './routes/ort-wasm';

const store = new ModelStore(workerdOrt);

// On every response: `Access-Control-Allow-Origin: *` (errors included, so browsers can read them; ETag and the
// model version exposed to scripts), and Server-Timing: total, plus decode/resize/encode or cache=hit.
const app = new Hono<AppEnv>()
  .use(cors({ origin: '*', exposeHeaders: ['ETag', 'X-Model-Version'] }))
  .use(timing({ crossOrigin: true }))
  .route('/', homeRoute)
  .route('/', faceRoute(store))
  .route('/', interpolateRoute(store))
  .route('/', latentRoute(store))
  .route('/', attributesRoute(store))
  .route('/', healthzRoute(store))
  .route('/', modelsRoute(store))
  .route('/', ortWasmRoute);
app.onError(onError);
app.notFound(onNotFound);

export default app;

/** Worker entry: wires the routes to one per-isolate model store. */
import { Hono } from 'hono';
import { timing } from 'hono/timing';
import type { AppEnv } from './http/app-env';
import { onError, onNotFound } from './http/errors';
import { ModelStore } from './runtime/model-store';
import { workerdOrt } from './runtime/ort-workerd';
import { faceRoute } from './routes/face';
import { healthzRoute } from './routes/healthz';
import { homeRoute } from './routes/home';
import { interpolateRoute } from './routes/interpolate';
import { latentRoute } from './routes/latent';

const store = new ModelStore(workerdOrt);

// Server-Timing on every response: total, plus decode/resize/encode or cache=hit from the image routes.
const app = new Hono<AppEnv>()
  .use(timing({ crossOrigin: true }))
  .route('/', homeRoute)
  .route('/', faceRoute(store))
  .route('/', interpolateRoute(store))
  .route('/', latentRoute(store))
  .route('/', healthzRoute(store));
app.onError(onError);
app.notFound(onNotFound);

export default app;

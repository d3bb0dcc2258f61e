/**
 * GET /runtime/ort-web-<version>/<file>.wasm — onnxruntime-web's wasm files for the browser bundle
 * (src/runtime/ort-browser.ts), from the MODELS bucket.
 *
 * Why R2 and not Workers static assets: the WebGPU build's wasm (ort-wasm-simd-threaded.asyncify.wasm, 26.8 MB in
 * onnxruntime-web 1.30) is over the 25 MiB per-file limit of static assets, and the worker's own bundle cannot carry
 * it either (a bundled .wasm becomes a compiled module, not bytes to serve). The CPU-only build (14.2 MB) would fit,
 * but one place for both keeps one upload path and one route. `npm run models:upload` puts them into the bucket
 * (scripts/lib/uploads.ts, `runtimeObjects`), gzipped: they are sent as stored, so neither the worker nor a local
 * workerd compresses 14–27 MB per request (which cost ~1 s of the first face here). The folder names ORT's version,
 * so a URL always means the same bytes and is cached for a year.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../http/app-env';
import { jsonError } from '../http/errors';
import { IMMUTABLE, matchesIfNoneMatch } from '../http/image-response';

const NAME = /^ort-web-[0-9][0-9a-z.-]{0,31}\/ort-wasm[0-9a-z.-]{0,64}\.wasm$/;

/** The ORT wasm route. */
export const ortWasmRoute = new Hono<AppEnv>().get('/runtime/:dir/:file', async (c) => {
  const name = `${c.req.param('dir')}/${c.req.param('file')}`;
  const object = NAME.test(name) ? await c.env.MODELS.get(`runtime/${name}`) : null;
  if (!object) return jsonError(c, 404, 'not_found', `no runtime file ${name}`);
  const headers: Record<string, string> = { 'Cache-Control': IMMUTABLE, ETag: object.httpEtag };
  if (matchesIfNoneMatch(c.req.header('If-None-Match'), object.httpEtag)) return new Response(null, { status: 304, headers });
  // application/wasm lets the browser compile while it downloads (WebAssembly.instantiateStreaming).
  headers['Content-Type'] = 'application/wasm';
  headers['Content-Length'] = String(object.size);
  const encoding = object.httpMetadata?.contentEncoding;
  if (!encoding) return new Response(object.body, { headers });
  // Stored compressed: say so and send the bytes as they are ('manual'), which every browser decodes.
  return new Response(object.body, { headers: { ...headers, 'Content-Encoding': encoding }, encodeBody: 'manual' });
});

/**
 * Benchmark-only worker (never deployed): times the pipeline's stages inside workerd on one real decoded face, the
 * PNG encoders the design considered and the WebP and JPEG codecs (their start, then encodes), on the same pixels.
 * Driven by bench/edge.ts.
 */
import UPNG from 'upng-js';
import { seedToLatent } from '../src/runtime/latent';
import { planesToRgba } from '../src/runtime/image';
import { BatchingDecoder } from '../src/runtime/decoder';
import { findEntry, parseManifest } from '../src/runtime/manifest';
import { ModelStore, type ModelBucket } from '../src/runtime/model-store';
import { workerdOrt } from '../src/runtime/ort-workerd';
import { workerdCodecs } from '../src/runtime/codecs-workerd';
import { DEFAULT_QUALITY, Encoders } from '../src/runtime/encode';
import { zlibHuffmanOnly } from '../src/runtime/deflate';
import { encodePng, paethFilter } from '../src/runtime/png';

const store = new ModelStore(workerdOrt);

/** Mean ms per call of `fn` over `n` calls (after 20 warm-up calls); workerd's clock is coarse, so time the loop. */
async function time(n: number, fn: (i: number) => unknown): Promise<number> {
  for (let i = 0; i < 20; i++) await fn(i);
  const started = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return (performance.now() - started) / n;
}

async function compressionStreamDeflate(data: Uint8Array): Promise<number> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream('deflate'));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

/** The first request's stages, step by step; only meaningful as the first request of a fresh isolate. */
async function cold(bucket: ModelBucket): Promise<Record<string, number>> {
  const t0 = performance.now();
  const entry = findEntry(parseManifest(JSON.parse(new TextDecoder().decode(await (await bucket.get('manifest.json'))!.arrayBuffer()))))!;
  const bytes = await (await bucket.get(entry.file))!.arrayBuffer();
  const t1 = performance.now();
  await crypto.subtle.digest('SHA-256', bytes);
  const t2 = performance.now();
  const decoder = await BatchingDecoder.create(workerdOrt, new Uint8Array(bytes), entry);
  const t3 = performance.now();
  const [planes] = await decoder.decode([await seedToLatent('cold', entry.latentSize)]);
  const t4 = performance.now();
  encodePng(planesToRgba(planes, entry.imageSize, { size: 128, valueRange: entry.valueRange }), 128, 128, true);
  const t5 = performance.now();
  return { r2ReadMs: t1 - t0, sha256Ms: t2 - t1, sessionAndTestDecodeMs: t3 - t2, firstDecodeMs: t4 - t3, firstResizeEncodeMs: t5 - t4 };
}

export default {
  async fetch(request: Request, env: { MODELS: ModelBucket }): Promise<Response> {
    if (new URL(request.url).pathname === '/cold') return Response.json(await cold(env.MODELS));
    const n = Number(new URL(request.url).searchParams.get('n') ?? 200);
    const { entry, decoder } = await store.model(env.MODELS);
    const latents = await Promise.all(Array.from({ length: n + 20 }, (_, i) => seedToLatent(`micro-${i}`, entry.latentSize)));
    const [planes] = await decoder.decode([latents[0]]);
    const options = { size: 128, valueRange: entry.valueRange };
    const rgba = planesToRgba(planes.slice(), entry.imageSize, options);
    const filtered = paethFilter(rgba, 128, 128, 3).slice();
    // Each codec's start and first encode in this isolate (V8 compiles wasm functions lazily, on their first call),
    // then steady-state encodes at the default quality.
    const encoders = new Encoders(workerdCodecs), lossy = { opaque: true, quality: DEFAULT_QUALITY };
    const firsts: Record<string, number> = {};
    for (const format of ['webp', 'jpeg'] as const) {
      const t0 = performance.now();
      const encoder = await encoders.get(format);
      const t1 = performance.now();
      encoder.still(rgba, 128, 128, lossy);
      Object.assign(firsts, { [`${format}StartMs`]: t1 - t0, [`${format}FirstEncodeMs`]: performance.now() - t1 });
    }
    const [webp, jpeg] = (await Promise.all([encoders.get('webp'), encoders.get('jpeg')])).map((e) => e.still);
    const result = {
      ...firsts,
      webpEncode128Ms: await time(n, () => webp(rgba, 128, 128, lossy)),
      webpEncode128Bytes: webp(rgba, 128, 128, lossy).length,
      jpegEncode128Ms: await time(n, () => jpeg(rgba, 128, 128, lossy)),
      jpegEncode128Bytes: jpeg(rgba, 128, 128, lossy).length,
      decodeBatch1Ms: await time(n, (i) => decoder.decode([latents[i]])),
      decodeBatch8PerFaceMs: (await time(Math.ceil(n / 8), (i) => decoder.decode(latents.slice((i * 8) % n, ((i * 8) % n) + 8)))) / 8,
      resize128Ms: await time(n, () => planesToRgba(planes, entry.imageSize, options)),
      encode128Ms: await time(n, () => encodePng(rgba, 128, 128, true)),
      encode128Bytes: encodePng(rgba, 128, 128, true).length,
      encode128RgbaMs: await time(n, () => encodePng(rgba, 128, 128, false)),
      huffmanOnlyDeflateMs: await time(n, () => zlibHuffmanOnly(filtered)),
      compressionStreamDeflateMs: await time(n, () => compressionStreamDeflate(filtered)),
      compressionStreamDeflateBytes: await compressionStreamDeflate(filtered),
      upngEncode128Ms: await time(Math.min(n, 50), () => UPNG.encode([rgba.buffer as ArrayBuffer], 128, 128, 0)),
      upngEncode128Bytes: UPNG.encode([rgba.buffer as ArrayBuffer], 128, 128, 0).byteLength,
    };
    return Response.json(result);
  },
};

/** The cache-miss path shared by the image routes: decode, draw, encode, and report each stage in Server-Timing. */
import type { Context } from 'hono';
import { setMetric } from 'hono/timing';
import { drawFaces } from '../runtime/draw';
import type { Encoders, ImageSpec } from '../runtime/encode';
import type { Frame } from '../runtime/frame';
import type { LoadedModel } from '../runtime/model-store';

/**
 * Decodes `latents` in one batch, draws each in `frame` and encodes them with `encoders` as the image `spec`
 * describes (the encode stage includes starting the format's codec when this is its first use in the isolate).
 */
export async function renderImage(c: Context, model: LoadedModel, encoders: Encoders, latents: Float32Array[], frame: Frame, spec: ImageSpec): Promise<Uint8Array> {
  const { rgba, queueMs, decodeMs, resizeMs } = await drawFaces(model, latents, frame);
  const started = performance.now();
  const bytes = await encoders.encodeFaces(rgba, spec);
  setMetric(c, 'queue', queueMs);
  setMetric(c, 'decode', decodeMs);
  setMetric(c, 'resize', resizeMs);
  setMetric(c, 'encode', performance.now() - started);
  return bytes;
}

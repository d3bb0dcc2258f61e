/** The cache-miss path shared by the image routes: decode, resize, encode, and report each stage in Server-Timing. */
import type { Context } from 'hono';
import { setMetric } from 'hono/timing';
import { renderFaces } from '../runtime/faces';
import type { RenderOptions } from '../runtime/image';
import type { LoadedModel } from '../runtime/model-store';

/** Decodes `latents` in one batch, renders them and hands the RGBA images to `encode` (PNG, WebP or JPEG). */
export async function renderImage(
  c: Context,
  model: LoadedModel,
  latents: Float32Array[],
  options: Pick<RenderOptions, 'size' | 'shape'>,
  encode: (rgba: Uint8Array[]) => Uint8Array,
): Promise<Uint8Array> {
  const { rgba, decodeMs, resizeMs } = await renderFaces(model, latents, options);
  const started = performance.now();
  const image = encode(rgba);
  setMetric(c, 'decode', decodeMs);
  setMetric(c, 'resize', resizeMs);
  setMetric(c, 'encode', performance.now() - started);
  return image;
}

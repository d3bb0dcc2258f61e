/** Latents → RGBA faces at the requested size, with the decode and resize times the routes report in Server-Timing. */
import type { LoadedModel } from './model-store';
import { renderRgba, type RenderOptions } from './image';

/** Decoded faces, the decoder run's time and the resampling time (ms). */
export interface Faces {
  rgba: Uint8Array[];
  decodeMs: number;
  resizeMs: number;
}

/** Decodes `latents` in one batched run and renders each at `size`, square or circle. */
export async function renderFaces(model: LoadedModel, latents: Float32Array[], options: Pick<RenderOptions, 'size' | 'shape'>): Promise<Faces> {
  const started = performance.now();
  const planes = await model.decoder.decode(latents);
  const decodeMs = performance.now() - started;
  const { imageSize, valueRange } = model.entry;
  const rgba = planes.map((p) => renderRgba(p, imageSize, { ...options, valueRange }));
  return { rgba, decodeMs, resizeMs: performance.now() - started - decodeMs };
}

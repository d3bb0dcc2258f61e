/** Latents → RGBA faces at the requested size, with the decode and resize times the routes report in Server-Timing. */
import type { LoadedModel } from './model-store';
import { planesToRgba, type RgbaOptions } from './image';

/** Drawn faces, the decoder run's time and the resampling time (ms). */
export interface Faces {
  rgba: Uint8Array[];
  decodeMs: number;
  resizeMs: number;
}

/** Decodes `latents` in one batched run and draws each at `size`, square or circle. */
export async function drawFaces(model: LoadedModel, latents: Float32Array[], options: Pick<RgbaOptions, 'size' | 'shape'>): Promise<Faces> {
  const started = performance.now();
  const planes = await model.decoder.decode(latents);
  const decodeMs = performance.now() - started;
  const { imageSize, valueRange } = model.entry;
  const rgba = planes.map((p) => planesToRgba(p, imageSize, { size: options.size, shape: options.shape, valueRange }));
  return { rgba, decodeMs, resizeMs: performance.now() - started - decodeMs };
}

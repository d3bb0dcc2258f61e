/** Latents → RGBA faces at the requested size, with the decode and resize times the routes report in Server-Timing. */
import type { LoadedModel } from './model-store';
import { planesToRgba, type RgbaOptions } from './image';

/** Drawn faces, the wait for the decoder, the decoder run's time and the resampling time (ms). */
export interface Faces {
  rgba: Uint8Array[];
  /** From the call to the start of the decoder run: other requests' batches running or queued ahead. */
  queueMs: number;
  decodeMs: number;
  resizeMs: number;
}

/** Decodes `latents` in one batched run and draws each at `size`, square or circle. */
export async function drawFaces(model: LoadedModel, latents: Float32Array[], options: Pick<RgbaOptions, 'size' | 'shape'>): Promise<Faces> {
  const called = performance.now();
  const { planes, started } = await model.decoder.decodeTimed(latents);
  const decoded = performance.now();
  const { imageSize, valueRange } = model.entry;
  const rgba = planes.map((p) => planesToRgba(p, imageSize, { size: options.size, shape: options.shape, valueRange }));
  return { rgba, queueMs: started - called, decodeMs: decoded - started, resizeMs: performance.now() - decoded };
}

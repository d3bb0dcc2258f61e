/** Latents → RGBA frames, with the decode and drawing times the routes report in Server-Timing. */
import { drawFrame, type Frame } from './frame';
import type { LoadedModel } from './model-store';

/** Drawn faces, the wait for the decoder, the decoder run's time and the drawing time (ms). */
export interface Faces {
  rgba: Uint8Array[];
  /** From the call to the start of the decoder run: other requests' batches running or queued ahead. */
  queueMs: number;
  decodeMs: number;
  /** Resampling, framing and effects (src/runtime/frame.ts). */
  resizeMs: number;
}

/** Decodes `latents` in one batched run and draws each in `frame`. */
export async function drawFaces(model: LoadedModel, latents: Float32Array[], frame: Frame): Promise<Faces> {
  const called = performance.now();
  const { planes, started } = await model.decoder.decodeTimed(latents);
  const decoded = performance.now();
  const { imageSize, valueRange } = model.entry;
  const rgba = planes.map((p) => drawFrame(p, imageSize, valueRange, frame));
  return { rgba, queueMs: started - called, decodeMs: decoded - started, resizeMs: performance.now() - decoded };
}

/**
 * Seed → latent → (attributes): the latent a face is decoded from, composed once for the routes, the browser client
 * and the evaluation. Interpolation shifts both ends first, then walks the great circle between them.
 */
import { shiftLatent, type AttributeSet, type Strengths } from './attributes';
import { latentFromDigest } from './latent';
import { slerp } from './slerp';

/** The latent of the seed whose SHA-256 is `digest` (./latent.ts), shifted by `strengths` along `attributes`. */
export function faceLatent(digest: Uint8Array, latentSize: number, attributes: AttributeSet, strengths: Strengths): Float32Array {
  return shiftLatent(latentFromDigest(digest, latentSize), attributes, strengths);
}

/** `steps` ≥ 2 latents evenly spaced on the great circle from `a` to `b`, both ends included. */
export function slerpFrames(a: Float32Array, b: Float32Array, steps: number): Float32Array[] {
  return Array.from({ length: steps }, (_, i) => slerp(a, b, i / (steps - 1)));
}

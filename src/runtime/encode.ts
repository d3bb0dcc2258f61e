/**
 * Drawn faces → image file bytes: the one place an encoder is chosen, by format. PNG (and APNG) is the only format
 * today; src/runtime/png.ts is measured faster than every library tried and defines the served bytes.
 */
import { encodeApng, encodePng } from './png';

/** The file formats faces are encoded in, with their media types. */
export const IMAGE_FORMATS = { png: 'image/png' } as const;
/** A file format of {@link IMAGE_FORMATS}. */
export type ImageFormat = keyof typeof IMAGE_FORMATS;

/**
 * How the faces become one image: `row` side by side (a single face is just itself), `loop` the frames of an endless
 * animation that plays there and back (0 … n-1, then n-2 … 1).
 */
export type Layout = 'row' | 'loop';

/** What image to make of faces drawn at `size` (square faces are opaque, circles carry alpha). */
export interface ImageSpec {
  format: ImageFormat;
  layout: Layout;
  size: number;
  shape: 'square' | 'circle';
}

/** Display time of one animation frame. */
export const FRAME_MS = 120;

/** What a format's encoder does: one still image, or an endless animation of equal-size frames. */
interface Encoder {
  still(rgba: Uint8Array, width: number, height: number, opaque: boolean): Uint8Array;
  animation(frames: Uint8Array[], width: number, height: number, delayMs: number, opaque: boolean): Uint8Array;
}

const ENCODERS: Record<ImageFormat, Encoder> = { png: { still: encodePng, animation: encodeApng } };

/** Lays square RGBA faces side by side. */
function row(faces: Uint8Array[], size: number): Uint8Array {
  if (faces.length === 1) return faces[0];
  const stride = size * 4, out = new Uint8Array(faces.length * size * stride);
  faces.forEach((f, i) => {
    for (let y = 0; y < size; y++) out.set(f.subarray(y * stride, (y + 1) * stride), (y * faces.length + i) * stride);
  });
  return out;
}

/** Encodes RGBA faces of `spec.size`² as one image file of `spec.format`, laid out as `spec.layout` says. */
export function encodeFaces(faces: Uint8Array[], spec: ImageSpec): Uint8Array {
  const { size } = spec, opaque = spec.shape === 'square', encoder = ENCODERS[spec.format];
  if (spec.layout === 'row') return encoder.still(row(faces, size), size * faces.length, size, opaque);
  // The repeated frames are the same arrays, so an encoder can compress each once.
  return encoder.animation([...faces, ...faces.slice(1, -1).reverse()], size, size, FRAME_MS, opaque);
}

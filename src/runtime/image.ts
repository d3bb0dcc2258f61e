/**
 * Decoder output (float32 CHW planes) → 8-bit RGBA at the requested size.
 *
 * Resampling is separable and done in float before rounding, so resizing adds no second quantisation.
 * Downscaling averages the covered source area (box filter with fractional edges), which does not alias;
 * upscaling uses Catmull–Rom bicubic (a = -0.5): sharp, with less ringing than Lanczos-3 on smooth faces.
 * Weight tables and circle masks depend only on sizes, so they are built once per isolate and reused, for the
 * most recently used sizes only: all 497 circle masks alone would hold 45 MB of a 128 MB isolate.
 */
import { LruCache } from './lru';

/** Options for {@link planesToRgba}. */
export interface RgbaOptions {
  /** Output width and height in pixels. */
  size: number;
  /** Decoder values that map to 0 and 255. */
  valueRange: readonly [number, number];
}

/** Per output index `i`: `count` source indices (clamped to the edges) and their weights, summing to 1. */
interface Taps {
  count: number;
  index: Int32Array;
  weights: Float64Array;
}

/** Sizes whose tables and masks stay cached: at most 32 × 24 kB of taps and 32 × 256 kB of masks (512 px). */
const CACHED_SIZES = 32;
const tapsCache = new LruCache<number, Taps>(CACHED_SIZES);
const maskCache = new LruCache<number, Uint8Array>(CACHED_SIZES);

function cubic(x: number): number {
  const t = Math.abs(x);
  if (t < 1) return 1.5 * t ** 3 - 2.5 * t ** 2 + 1;
  if (t < 2) return -0.5 * t ** 3 + 2.5 * t ** 2 - 4 * t + 2;
  return 0;
}

/** Resampling taps from `src` to `dst` samples; source indices beyond the edges are clamped. */
export function resampleTaps(src: number, dst: number): Taps {
  return tapsCache.get(src * 65536 + dst, () => makeTaps(src, dst));
}

function makeTaps(src: number, dst: number): Taps {
  const scale = src / dst;
  const count = dst < src ? Math.ceil(scale) + 1 : dst > src ? 4 : 1;
  const index = new Int32Array(dst * count);
  const weights = new Float64Array(dst * count);
  for (let i = 0; i < dst; i++) {
    // Box filter for downscaling: output pixel i covers source interval [lo, hi).
    const lo = i * scale, hi = lo + scale;
    const center = (i + 0.5) * scale - 0.5;
    const start = dst < src ? Math.floor(lo) : dst > src ? Math.floor(center) - 1 : i;
    for (let k = 0; k < count; k++) {
      const s = start + k;
      index[i * count + k] = Math.min(src - 1, Math.max(0, s));
      weights[i * count + k] = dst < src ? Math.max(0, Math.min(hi, s + 1) - Math.max(lo, s)) / scale : dst > src ? cubic(center - s) : 1;
    }
  }
  return { count, index, weights };
}

/** Alpha of a circle inscribed in a `size` square: per-pixel coverage approximated by distance to the edge. */
export function circleMask(size: number): Uint8Array {
  return maskCache.get(size, () => makeCircleMask(size));
}

function makeCircleMask(size: number): Uint8Array {
  const mask = new Uint8Array(size * size);
  const r = size / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x + 0.5 - r, y + 0.5 - r);
      mask[y * size + x] = Math.round(255 * Math.min(1, Math.max(0, r - d + 0.5)));
    }
  }
  return mask;
}

let rowScratch = new Float64Array(0);
let accScratch = new Float64Array(0);

/**
 * Renders one decoded face. `planes` holds 3 planes of `srcSize`² floats (R, G, B); returns `size`² opaque RGBA bytes
 * (src/runtime/frame.ts draws shapes, frames and effects on them).
 */
export function planesToRgba(planes: Float32Array, srcSize: number, options: RgbaOptions): Uint8Array {
  const { size } = options;
  const [lo, hi] = options.valueRange;
  const gain = 255 / (hi - lo);
  const { count, index, weights } = resampleTaps(srcSize, size);
  if (rowScratch.length < srcSize * size) rowScratch = new Float64Array(srcSize * size);
  if (accScratch.length < size) accScratch = new Float64Array(size);
  const rows = rowScratch; // srcSize rows resampled horizontally to `size` columns
  const acc = accScratch; // one output row being accumulated
  const out = new Uint8Array(size * size * 4);
  const plane = srcSize * srcSize;
  for (let c = 0; c < 3; c++) {
    const base = c * plane;
    for (let y = 0; y < srcSize; y++) {
      const src = base + y * srcSize, dst = y * size;
      if (count === 4) {
        for (let x = 0, t = 0; x < size; x++, t += 4) {
          rows[dst + x] = weights[t] * planes[src + index[t]] + weights[t + 1] * planes[src + index[t + 1]] +
            weights[t + 2] * planes[src + index[t + 2]] + weights[t + 3] * planes[src + index[t + 3]];
        }
      } else {
        for (let x = 0, t = 0; x < size; x++) {
          let sum = 0;
          for (let k = 0; k < count; k++, t++) sum += weights[t] * planes[src + index[t]];
          rows[dst + x] = sum;
        }
      }
    }
    // Vertical pass row by row: each tap adds a whole source row, a contiguous loop the JIT handles well.
    for (let y = 0; y < size; y++) {
      const t = y * count, o = y * size * 4 + c;
      if (count === 4) {
        // Upscaling's four bicubic taps, unrolled: the same sums in the same order, without an accumulator row to
        // store and reload per tap (half the time of the loop below at 512 px).
        const w0 = weights[t], w1 = weights[t + 1], w2 = weights[t + 2], w3 = weights[t + 3];
        const r0 = index[t] * size, r1 = index[t + 1] * size, r2 = index[t + 2] * size, r3 = index[t + 3] * size;
        for (let x = 0; x < size; x++) acc[x] = w0 * rows[r0 + x] + w1 * rows[r1 + x] + w2 * rows[r2 + x] + w3 * rows[r3 + x];
      } else {
        acc.fill(0, 0, size);
        for (let k = 0; k < count; k++) {
          const w = weights[t + k], src = index[t + k] * size;
          for (let x = 0; x < size; x++) acc[x] += w * rows[src + x];
        }
      }
      toBytes(acc, size, lo, gain, out, o);
    }
  }
  for (let i = 0; i < size * size; i++) out[i * 4 + 3] = 255;
  return out;
}

/** Rounds `size` values to bytes every 4th byte of `out` from `o`. */
function toBytes(values: Float64Array, size: number, lo: number, gain: number, out: Uint8Array, o: number): void {
  for (let x = 0; x < size; x++, o += 4) {
    // Uint8Array would wrap out-of-range values, so clamp; `+ 0.5 | 0` rounds the non-negative value.
    const v = (values[x] - lo) * gain;
    out[o] = v <= 0 ? 0 : v >= 255 ? 255 : (v + 0.5) | 0;
  }
}

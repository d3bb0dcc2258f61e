/**
 * PNG encode speed in Node on one real face at several sizes: the service's encoder (src/runtime/png.ts: Paeth +
 * Huffman-only deflate, RGB for square faces) against upng-js (the design's default) and fast-png (pako deflate).
 * Every encoder gets the same opaque pixels; output sizes are reported alongside.
 */
import { encode as fastPngEncode } from 'fast-png';
import UPNG from 'upng-js';
import type { ModelEntry } from '../src/runtime/manifest';
import { planesToRgba } from '../src/runtime/image';
import { encodePng } from '../src/runtime/png';
import { sampleMs, type Runs } from './stats';

/** One encoder × size: ms per encode and the PNG's byte length. */
export interface PngResult {
  encoder: string;
  size: number;
  samplesMs: number[];
  bytes: number;
}

/** RGBA → RGB (fast-png takes the channel count it writes). */
function rgbOf(rgba: Uint8Array): Uint8Array {
  const rgb = new Uint8Array((rgba.length / 4) * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) rgb.set(rgba.subarray(i, i + 3), j);
  return rgb;
}

const ENCODERS: Array<{ name: string; encode: (rgba: Uint8Array, rgb: Uint8Array, size: number) => Uint8Array | ArrayBuffer }> = [
  { name: 'seedface (src/runtime/png.ts)', encode: (rgba, _rgb, size) => encodePng(rgba, size, size, true) },
  { name: 'upng-js', encode: (rgba, _rgb, size) => UPNG.encode([rgba.slice().buffer], size, size, 0) },
  { name: 'fast-png', encode: (_rgba, rgb, size) => fastPngEncode({ width: size, height: size, data: rgb, channels: 3, depth: 8 }) },
];

/** Encodes the face in `planes` (the model's CHW output) at each of `sizes` with each encoder. */
export async function benchPng(entry: ModelEntry, planes: Float32Array, sizes: number[], runs: Runs): Promise<PngResult[]> {
  const results: PngResult[] = [];
  for (const size of sizes) {
    const rgba = planesToRgba(planes, entry.imageSize, { size, valueRange: entry.valueRange });
    const rgb = rgbOf(rgba);
    for (const { name, encode } of ENCODERS) {
      const samplesMs = await sampleMs(runs, () => encode(rgba, rgb, size));
      results.push({ encoder: name, size, samplesMs, bytes: encode(rgba, rgb, size).byteLength });
    }
  }
  return results;
}

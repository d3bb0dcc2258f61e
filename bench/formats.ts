/**
 * Image formats at 128 px on 100 faces (seeds "0".."99", decoded natively): our PNG against WebP (libwebp wasm) and
 * JPEG (mozjpeg wasm) at the service's default quality, the codecs the worker runs, and pure-JS jpeg-js at the same
 * quality. Per encoder: ms per encode (every face, twice), bytes against our PNG, PSNR of the decoded pixels against
 * the PNG's (RGB, lossless), and whether a second, fresh instance of the codec writes the same bytes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jpegJs from 'jpeg-js';
import { MODELS_DIR } from '../scripts/lib/models-dir';
import { nodeDecoders, nodeEncoders, type Decoded } from '../scripts/lib/node-codecs';
import { NODE_ORTS } from '../scripts/lib/node-ort';
import { createDecoderSession } from '../src/runtime/decoder';
import { DEFAULT_QUALITY, type Encoder, type ImageFormat } from '../src/runtime/encode';
import { planesToRgba } from '../src/runtime/image';
import { seedToLatent } from '../src/runtime/latent';
import type { ModelEntry } from '../src/runtime/manifest';
import { sampleMs, type Runs } from './stats';

const SIZE = 128;

/** One still-image encoder, as the service's {@link Encoder}s write them. */
type Encode = Encoder['still'];

/** One encoder on the faces. */
export interface FormatResult {
  encoder: string;
  format: ImageFormat;
  samplesMs: number[];
  /** Mean bytes per face, and as a share of our PNG's mean. */
  meanBytes: number;
  shareOfPng: number;
  /** PSNR (dB) over RGB against the PNG's pixels: median and worst face; Infinity for lossless. */
  psnrMedian: number;
  psnrMin: number;
  /** A fresh instance of the codec wrote identical bytes for every face. */
  deterministic: boolean;
}

/** PSNR over the RGB channels of two RGBA images. */
export function psnr(a: Uint8Array, b: Uint8Array): number {
  let squares = 0, n = 0;
  for (let i = 0; i < a.length; i++) {
    if (i % 4 === 3) continue;
    squares += (a[i] - b[i]) ** 2;
    n++;
  }
  return squares === 0 ? Infinity : 10 * Math.log10((255 * 255 * n) / squares);
}

/** Seeds "0".."count-1" decoded by onnxruntime-node and rendered at 128 px, square. */
async function faces(entry: ModelEntry, count: number): Promise<Uint8Array[]> {
  const ort = NODE_ORTS.native;
  const session = await createDecoderSession(ort, new Uint8Array(readFileSync(join(MODELS_DIR, entry.file))));
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const z = await seedToLatent(String(i), entry.latentSize);
    const planes = (await session.run({ [entry.input]: new ort.Tensor('float32', z, [1, entry.latentSize]) }))[entry.output].data as Float32Array;
    out.push(planesToRgba(planes, entry.imageSize, { size: SIZE, valueRange: entry.valueRange }));
  }
  await session.release();
  return out;
}

/** Measures every encoder on `count` faces; `runs.runs` caps the timed encodes per encoder. */
export async function benchFormats(entry: ModelEntry, count: number, runs: Runs): Promise<FormatResult[]> {
  const images = await faces(entry, count);
  const [encoders, again, decoders] = [nodeEncoders(), nodeEncoders(), await nodeDecoders()];
  const options = { opaque: true, quality: DEFAULT_QUALITY };
  const still = async (encoder: Promise<Encoder>) => (await encoder).still;
  const jpegJsEncode: Encode = (rgba, width, height, { quality }) => new Uint8Array(jpegJs.encode({ data: rgba, width, height }, quality).data);
  const lossless = (bytes: Uint8Array, i: number): Decoded => ({ width: SIZE, height: SIZE, rgba: images[i] });
  const candidates: Array<{ encoder: string; format: ImageFormat; encode: Encode; fresh: Encode; decode: (bytes: Uint8Array, i: number) => Decoded }> = [
    { encoder: 'seedface PNG (src/runtime/png.ts)', format: 'png', encode: await still(encoders.get('png')), fresh: await still(again.get('png')), decode: lossless },
    { encoder: `WebP, libwebp wasm (@jsquash/webp), q${DEFAULT_QUALITY}`, format: 'webp', encode: await still(encoders.get('webp')), fresh: await still(again.get('webp')), decode: decoders.webp },
    { encoder: `JPEG, mozjpeg wasm (@jsquash/jpeg), q${DEFAULT_QUALITY}`, format: 'jpeg', encode: await still(encoders.get('jpeg')), fresh: await still(again.get('jpeg')), decode: decoders.jpeg },
    { encoder: `JPEG, jpeg-js (pure JS), q${DEFAULT_QUALITY}`, format: 'jpeg', encode: jpegJsEncode, fresh: jpegJsEncode, decode: decoders.jpeg },
  ];
  const results: FormatResult[] = [];
  for (const { encoder, format, encode, fresh, decode } of candidates) {
    const samplesMs = await sampleMs({ ...runs, runs: Math.min(runs.runs, 2 * count) }, (i) => encode(images[i % count], SIZE, SIZE, options));
    const coded = images.map((rgba) => encode(rgba, SIZE, SIZE, options));
    const psnrs = coded.map((bytes, i) => psnr(images[i], decode(bytes, i).rgba)).sort((a, b) => a - b);
    const deterministic = coded.every((bytes, i) => Buffer.from(fresh(images[i], SIZE, SIZE, options)).equals(bytes));
    const meanBytes = coded.reduce((n, b) => n + b.length, 0) / count;
    results.push({ encoder, format, samplesMs, meanBytes, shareOfPng: 0, psnrMedian: psnrs[Math.floor(count / 2)], psnrMin: psnrs[0], deterministic });
  }
  for (const r of results) r.shareOfPng = r.meanBytes / results[0].meanBytes;
  return results;
}

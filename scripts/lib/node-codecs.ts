/**
 * The lossy codecs in Node, compiled from the same wasm files the worker imports: the encoders the service uses
 * (src/runtime/encode.ts), and libwebp's and mozjpeg's decoders, which the tests and the benchmark use to check
 * and measure what the encoders wrote.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import webpDecoderFactory from '@jsquash/webp/codec/dec/webp_dec.js';
import jpegDecoderFactory from '@jsquash/jpeg/codec/dec/mozjpeg_dec.js';
import { compileWasm, startCodec, type EmscriptenFactory } from '../../src/runtime/emscripten-codec';
import { Encoders, type CodecModules } from '../../src/runtime/encode';
import { JPEG_WASM } from '../../src/runtime/jpeg';
import { WEBP_WASM } from '../../src/runtime/webp';

const require = createRequire(import.meta.url);

/** Compiles an npm package's wasm file. */
const compile = (specifier: string) => compileWasm(readFileSync(require.resolve(specifier)));

/** The codecs' wasm compiled in Node. */
export const nodeCodecModules: CodecModules = { webp: () => compile(WEBP_WASM), jpeg: () => compile(JPEG_WASM) };

/** A fresh set of encoders on Node (each lossy codec instantiated anew on first use). */
export const nodeEncoders = () => new Encoders(nodeCodecModules);

/** A decoded image: RGBA, row-major. */
export interface Decoded {
  width: number;
  height: number;
  rgba: Uint8Array;
}

type RawDecoder = { decode(bytes: Uint8Array, ...rest: unknown[]): { data: Uint8ClampedArray; width: number; height: number } | null };

/** libwebp's and mozjpeg's decoders; each throws on bytes it cannot decode. */
export async function nodeDecoders(): Promise<Record<'webp' | 'jpeg', (bytes: Uint8Array) => Decoded>> {
  const [webp, jpeg] = await Promise.all([
    startCodec(webpDecoderFactory as unknown as EmscriptenFactory<RawDecoder>, await compile('@jsquash/webp/codec/dec/webp_dec.wasm')),
    startCodec(jpegDecoderFactory as unknown as EmscriptenFactory<RawDecoder>, await compile('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm')),
  ]);
  const wrap = (name: string, decode: (bytes: Uint8Array) => ReturnType<RawDecoder['decode']>) => (bytes: Uint8Array): Decoded => {
    const image = decode(bytes);
    if (!image) throw new Error(`${name}: not decodable`);
    return { width: image.width, height: image.height, rgba: new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength) };
  };
  // mozjpeg's second argument: preserveOrientation (no EXIF here).
  return { webp: wrap('webp', (b) => webp.decode(b)), jpeg: wrap('jpeg', (b) => jpeg.decode(b, false)) };
}

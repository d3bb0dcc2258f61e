/**
 * JPEG: mozjpeg (squoosh's wasm build, packaged as @jsquash/jpeg), from RGBA whose alpha it ignores, so only opaque
 * (square) faces are served as JPEG.
 */
import factory, { type EncodeOptions, type MozJPEGModule } from '@jsquash/jpeg/codec/enc/mozjpeg_enc.js';
import { defaultOptions } from '@jsquash/jpeg/meta.js';
import { codecMemoryBytes, startCodec, type EmscriptenFactory } from './emscripten-codec';
import type { Encoder } from './encode';

/** The wasm file this encoder instantiates (its glue is the matching .js). */
export const JPEG_WASM = '@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm';

/** Starts the JPEG encoder on its compiled wasm (`mozjpeg_enc.wasm`). */
export async function startJpegEncoder(module: WebAssembly.Module): Promise<Encoder> {
  const codec = await startCodec(factory as unknown as EmscriptenFactory<MozJPEGModule>, module);
  return {
    still(rgba, width, height, { quality }) {
      // Sequential, not progressive: on 128 px faces mozjpeg's progressive scan search took ~8x as long and saved
      // nothing (2,874 against 2,816 bytes on average at quality 85; docs/formats-notes.md). `baseline` caps
      // quantisation steps at 255 below quality ~25, so every file stays baseline (SOF0), which every decoder reads,
      // instead of extended sequential with 16-bit tables.
      const options: EncodeOptions = { ...defaultOptions, quality, progressive: false, baseline: true };
      return codec.encode(rgba as Uint8Array<ArrayBuffer>, width, height, options);
    },
    memoryBytes: () => codecMemoryBytes(codec),
  };
}

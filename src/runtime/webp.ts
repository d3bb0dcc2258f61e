/**
 * Lossy WebP: libwebp (squoosh's wasm build with SIMD, packaged as @jsquash/webp). Always the SIMD build, in workerd,
 * Node and browsers alike, because its output bytes are the contract (the plain build may code blocks differently).
 * Square faces are coded without alpha (libwebp drops an all-opaque alpha plane); circles keep a lossless alpha plane.
 */
import factory from '@jsquash/webp/codec/enc/webp_enc_simd.js';
import type { EncodeOptions, WebPModule } from '@jsquash/webp/codec/enc/webp_enc.js';
import { defaultOptions } from '@jsquash/webp/meta.js';
import { codecMemoryBytes, startCodec, type EmscriptenFactory } from './emscripten-codec';
import type { Encoder } from './encode';

/** The wasm file this encoder instantiates (its glue is the matching .js). */
export const WEBP_WASM = '@jsquash/webp/codec/enc/webp_enc_simd.wasm';

/**
 * libwebp's effort level (0 fastest … 6 smallest), its own default: on 100 faces at 128 px, method 2 took half the
 * time for 4 % more bytes, and 4 stays within the 3 ms budget (docs/formats-notes.md).
 */
export const WEBP_METHOD = 4;

/** Starts the WebP encoder on its compiled wasm (`webp_enc_simd.wasm`). */
export async function startWebpEncoder(module: WebAssembly.Module): Promise<Encoder> {
  const codec = await startCodec(factory as unknown as EmscriptenFactory<WebPModule>, module);
  return {
    still(rgba, width, height, { quality }) {
      const options: EncodeOptions = { ...defaultOptions, quality, method: WEBP_METHOD };
      const out = codec.encode(rgba as Uint8Array<ArrayBuffer>, width, height, options);
      if (!out) throw new Error(`libwebp could not encode a ${width}x${height} image`);
      return out;
    },
    memoryBytes: () => codecMemoryBytes(codec),
  };
}

/**
 * The lossy codecs' wasm for workerd: imported, so wrangler's CompiledWasm rule hands them over as precompiled
 * `WebAssembly.Module`s (workerd refuses to compile wasm at run time), and instantiated only when a WebP or JPEG is
 * first asked for (src/runtime/encode.ts). The specifiers are WEBP_WASM and JPEG_WASM; imports must be literals.
 */
import webpWasm from '@jsquash/webp/codec/enc/webp_enc_simd.wasm';
import jpegWasm from '@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm';
import type { CodecModules } from './encode';

/** The codecs' compiled modules in workerd. */
export const workerdCodecs: CodecModules = { webp: () => webpWasm, jpeg: () => jpegWasm };

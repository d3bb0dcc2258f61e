/**
 * The lossy encoders in a browser: the codecs' wasm comes from the worker's static assets (`web/<file>`, copied there
 * by scripts/lib/web.ts) and is compiled in the page, which browsers allow. The same wasm as the worker's, so the
 * same bytes. Loaded with a dynamic import, so pages that never ask for WebP or JPEG do not download the codecs.
 */
import { compileWasm } from './emscripten-codec';
import { Encoders } from './encode';
import { JPEG_WASM } from './jpeg';
import { WEBP_WASM } from './webp';

/** A codec's file name under the assets' `web/` folder: the package file's own name. */
export const fileName = (specifier: string) => specifier.slice(specifier.lastIndexOf('/') + 1);

/** Encoders whose lossy codecs load from `<base>web/<file>` on first use. */
export function browserEncoders(base: URL): Encoders {
  const compile = async (specifier: string) => {
    const url = new URL(`web/${fileName(specifier)}`, base);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
    return compileWasm(await response.arrayBuffer());
  };
  return new Encoders({ webp: () => compile(WEBP_WASM), jpeg: () => compile(JPEG_WASM) });
}

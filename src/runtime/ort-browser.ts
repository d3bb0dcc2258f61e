/**
 * onnxruntime-web for browsers: the browser's counterpart of ort-workerd.ts, and like it the only platform-specific
 * module of the runtime in a browser bundle.
 *
 * Two ORT builds, imported lazily (each is its own chunk), each fetching one wasm file from the worker:
 * - a WebGPU adapter exists: `onnxruntime-web/webgpu` with providers `['webgpu', 'wasm']` (its asyncify wasm,
 *   26.8 MB, carries the WebGPU and the CPU kernels, so a WebGPU provider that fails to start still falls back);
 * - no adapter: `onnxruntime-web/wasm` (14.2 MB, CPU only). Half the bytes to download and compile, which is most of
 *   the time to the first face, and the very build the worker runs, so its faces are the worker's to the bit.
 *
 * Providers are tried one at a time, in order: that is what ORT does with a list anyway (the first provider whose
 * backend starts wins), but ORT does not say which one won, and the demo page reports it.
 */
import type { InferenceSession } from 'onnxruntime-common';
import type { OrtApi } from './decoder';
import { IDENTITY_MODEL } from './identity-model';

/** An execution provider the browser can use. */
export type Backend = 'webgpu' | 'wasm';

/** The providers tried, best first. */
const BROWSER_BACKENDS: readonly Backend[] = ['webgpu', 'wasm'];

/** The wasm file each ORT build fetches (named by onnxruntime-web; the worker serves them, src/routes/ort-wasm.ts). */
export const ORT_WASM_FILES = { webgpu: 'ort-wasm-simd-threaded.asyncify.wasm', wasm: 'ort-wasm-simd-threaded.wasm' } as const;

/** Where the worker serves ORT's wasm files, relative to its origin: the folder names ORT's version, so cache forever. */
export function ortWasmDir(ortVersion: string): string {
  return `runtime/ort-web-${ortVersion}/`;
}

/** onnxruntime-web for one page, and the provider its last session was created with. */
export interface BrowserOrt {
  ort: OrtApi;
  backend(): Backend | undefined;
}

async function hasWebGpuAdapter(): Promise<boolean> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  return Boolean(gpu && (await gpu.requestAdapter().catch(() => null)));
}

/**
 * Loads the ORT build for this browser, with its wasm from the worker at `base` (a URL ending in `/`), and returns an
 * {@link OrtApi} whose sessions use the first of `backends` that works. ORT's runtime starts right away, while the
 * caller fetches its model.
 */
export async function browserOrt(base: URL, backends: readonly Backend[] = BROWSER_BACKENDS): Promise<BrowserOrt> {
  const gpu = backends.includes('webgpu') && (await hasWebGpuAdapter());
  const ort = gpu ? await import('onnxruntime-web/webgpu') : await import('onnxruntime-web/wasm');
  const tried = gpu ? backends : backends.filter((b) => b !== 'webgpu');
  // The object form names the .wasm alone; a string prefix would also make ORT import its glue (.mjs) from there
  // instead of the copy bundled in.
  ort.env.wasm.wasmPaths = { wasm: new URL(ortWasmDir(ort.env.versions.web!) + ORT_WASM_FILES[gpu ? 'webgpu' : 'wasm'], base).href };
  // One thread, as in workerd: the CPU path then runs the same kernels in the same order as the edge and gives the
  // same bytes, and the page needs no cross-origin isolation (threads need SharedArrayBuffer).
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  let used: Backend | undefined;
  const start = async (model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession> => {
    const failures: string[] = [];
    for (const backend of tried) {
      try {
        const session = await ort.InferenceSession.create(model, { ...options, executionProviders: [backend] });
        used = backend;
        return session;
      } catch (error) {
        failures.push(`${backend}: ${String(error)}`);
      }
    }
    throw new Error(`no execution provider could start (${failures.join('; ')})`);
  };
  // Start the runtime now (wasm download and compile), while the caller fetches its model. Sessions wait for it rather
  // than start alongside: the asyncify build hung on two sessions created at once. If the start fails, the real
  // session tries again and reports why.
  const started = start(IDENTITY_MODEL).then(
    (session) => session.release(),
    () => undefined,
  );
  const create: typeof start = async (model, options) => {
    await started;
    return start(model, options);
  };
  return {
    // `create` tries the providers one at a time, whatever the options list.
    ort: { InferenceSession: { create }, Tensor: ort.Tensor as unknown as OrtApi['Tensor'], sessionOptions: { executionProviders: tried } },
    backend: () => used,
  };
}

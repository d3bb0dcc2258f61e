/**
 * onnxruntime-web for workerd: the only platform-specific module (Node would import onnxruntime-node, a browser
 * onnxruntime-web as is).
 *
 * Workers refuse to compile WebAssembly from bytes at run time, and ORT has no option that takes a compiled
 * `WebAssembly.Module`. Wrangler's CompiledWasm rule turns the `.wasm` import below into such a Module at deploy
 * time. We give ORT a placeholder `wasmBinary` (so it neither fetches nor locates the file), and while ORT starts,
 * `WebAssembly.instantiate` called with that placeholder instantiates the imported Module instead.
 */
import * as ort from 'onnxruntime-web/wasm';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.wasm';
import type { OrtApi } from './decoder';
import { IDENTITY_MODEL } from './identity-model';

/** Bytes no real wasm file starts with (a real one starts with "\0asm"). */
const PLACEHOLDER = new TextEncoder().encode('seedface:precompiled-ort-wasm');

function isPlaceholder(source: unknown): boolean {
  if (!ArrayBuffer.isView(source) && !(source instanceof ArrayBuffer)) return false;
  const bytes = ArrayBuffer.isView(source) ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength) : new Uint8Array(source);
  return bytes.length === PLACEHOLDER.length && bytes.every((b, i) => b === PLACEHOLDER[i]);
}

/** ORT's wasm linear memory, once instantiated: it lives outside the JS heap, so /healthz reports it on its own. */
let ortMemory: WebAssembly.Memory | undefined;

/** The Memory among a module's imports or exports (this build imports it; a build without threads exports it). */
function findMemory(imports: WebAssembly.Imports | undefined, exports: WebAssembly.Exports): WebAssembly.Memory | undefined {
  const values = [...Object.values(imports ?? {}).flatMap((namespace) => Object.values(namespace)), ...Object.values(exports)];
  return values.find((v): v is WebAssembly.Memory => v instanceof WebAssembly.Memory);
}

const instantiate = WebAssembly.instantiate.bind(WebAssembly);
// ORT expects the `{ instance, module }` result of instantiating bytes, not the bare Instance a Module gives.
WebAssembly.instantiate = (async (source: unknown, imports?: WebAssembly.Imports) => {
  if (!isPlaceholder(source)) return instantiate(source as BufferSource, imports);
  const instance = await instantiate(ortWasm, imports);
  ortMemory = findMemory(imports, instance.exports);
  return { instance, module: ortWasm };
}) as typeof WebAssembly.instantiate;

/** Current size of ORT's wasm linear memory in bytes (it only grows), or 0 before ORT has started. */
export function ortWasmMemoryBytes(): number {
  return ortMemory?.buffer.byteLength ?? 0;
}

ort.env.wasm.wasmBinary = PLACEHOLDER;
// One thread and no proxy worker: Workers have neither threads nor nested workers.
ort.env.wasm.numThreads = 1;
ort.env.wasm.proxy = false;

/**
 * ORT's one-time runtime start costs ~0.4 s on a busy core whatever the model (measured with this very model), so it
 * begins while the isolate starts instead of on its first request; Cloudflare starts isolates during the TLS
 * handshake, which hides part of it. A 65-byte ONNX graph (one Identity node) is the cheapest way to trigger it
 * through the public API. Sessions created meanwhile share the same start (onnxruntime-common keeps one init promise
 * per backend); if the start fails, the first real session reports it, as a 503, instead of the script failing.
 */
ort.InferenceSession.create(IDENTITY_MODEL, { executionProviders: ['wasm'] }).then(
  (session) => session.release(),
  () => undefined,
);

/** onnxruntime-web configured for workerd. */
export const workerdOrt: OrtApi = {
  InferenceSession: ort.InferenceSession,
  Tensor: ort.Tensor as unknown as OrtApi['Tensor'],
  sessionOptions: { executionProviders: ['wasm'] },
};

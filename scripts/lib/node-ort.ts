/**
 * onnxruntime in Node on one thread, two ways, as {@link OrtApi}s for src/runtime/decoder.ts's session factory:
 * `wasm` is onnxruntime-web's wasm build (the kernels the worker runs, so its faces are the worker's to the bit),
 * `native` is onnxruntime-node's CPU kernels (3–4x faster, and rounding differently now and then). Shared by the
 * evaluation, the decode benchmark, the training pipeline's ONNX runner (scripts/ort-run.ts) and the tests.
 */
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web/wasm';
import type { OrtApi } from '../../src/runtime/decoder';

// As in the worker (src/runtime/ort-workerd.ts): one thread, no proxy.
ortWeb.env.wasm.numThreads = 1;
ortWeb.env.wasm.proxy = false;

/** A way to run a model in Node. */
export type NodeBackend = 'wasm' | 'native';

/** Both backends, wasm first. */
export const NODE_ORTS: Record<NodeBackend, OrtApi> = {
  wasm: {
    InferenceSession: ortWeb.InferenceSession,
    Tensor: ortWeb.Tensor as unknown as OrtApi['Tensor'],
    sessionOptions: { executionProviders: ['wasm'] },
  },
  native: {
    InferenceSession: ortNode.InferenceSession as unknown as OrtApi['InferenceSession'],
    Tensor: ortNode.Tensor as unknown as OrtApi['Tensor'],
    sessionOptions: { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' },
  },
};

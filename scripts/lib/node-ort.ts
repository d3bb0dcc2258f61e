/**
 * onnxruntime in Node on one thread, two ways: `wasm` is onnxruntime-web's wasm build (the kernels the worker runs),
 * `native` is onnxruntime-node's CPU kernels. Shared by the decode benchmark and the training pipeline's ONNX runner
 * (scripts/ort-run.ts), so both time and check the same sessions.
 */
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web/wasm';
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import { DECODER_SESSION_OPTIONS } from '../../src/runtime/decoder';

// As in the worker (src/runtime/ort-workerd.ts): one thread, no proxy.
ortWeb.env.wasm.numThreads = 1;
ortWeb.env.wasm.proxy = false;

/** One way to run a model in Node. */
export interface NodeBackend {
  name: 'wasm' | 'native';
  create(model: Uint8Array): Promise<InferenceSession>;
  tensor(data: Float32Array, dims: number[]): Tensor;
}

/** Both backends, wasm first. */
export const NODE_BACKENDS: Record<NodeBackend['name'], NodeBackend> = {
  wasm: {
    name: 'wasm',
    create: (model) => ortWeb.InferenceSession.create(model, { ...DECODER_SESSION_OPTIONS, executionProviders: ['wasm'] }),
    tensor: (data, dims) => new ortWeb.Tensor('float32', data, dims) as unknown as Tensor,
  },
  native: {
    name: 'native',
    create: (model) =>
      ortNode.InferenceSession.create(model, {
        ...DECODER_SESSION_OPTIONS,
        executionProviders: ['cpu'],
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
      }) as unknown as Promise<InferenceSession>,
    tensor: (data, dims) => new ortNode.Tensor('float32', data, dims) as unknown as Tensor,
  },
};

/**
 * src/runtime on Node, the same code the worker runs, for tests that compare it with the worker: models/ as a bucket,
 * and the model loaded on either onnxruntime-web's wasm build (the worker's own kernels, so bytes must match) or
 * onnxruntime-node (native kernels, which round differently now and then).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web/wasm';
import { nodeEncoders } from '../../scripts/lib/node-codecs';
import { MODELS_DIR } from '../../scripts/lib/worker';
import type { Encoding } from '../../src/http/params';
import type { OrtApi } from '../../src/runtime/decoder';
import { renderFaces } from '../../src/runtime/faces';
import { latentFromDigest, seedDigest } from '../../src/runtime/latent';
import { ModelStore, type LoadedModel, type ModelBucket } from '../../src/runtime/model-store';

// As in the worker (src/runtime/ort-workerd.ts): one thread, no proxy.
ortWeb.env.wasm.numThreads = 1;
ortWeb.env.wasm.proxy = false;

const ORTS: Record<'web' | 'node', OrtApi> = {
  web: { InferenceSession: ortWeb.InferenceSession, Tensor: ortWeb.Tensor as never, executionProviders: ['wasm'] },
  node: { InferenceSession: ortNode.InferenceSession, Tensor: ortNode.Tensor as never, executionProviders: ['cpu'] },
};

/** {@link MODELS_DIR} as a bucket. */
export const folderBucket: ModelBucket = {
  async get(key) {
    const bytes = await readFile(join(MODELS_DIR, key)).catch(() => null);
    return bytes && { arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) };
  },
};

/** The current model of models/ loaded in Node with onnxruntime-web (`web`) or onnxruntime-node (`node`). */
export function nodeModel(ort: 'web' | 'node'): Promise<LoadedModel> {
  return new ModelStore(ORTS[ort]).model(folderBucket);
}

const encoders = nodeEncoders();

/**
 * The image `GET /face/:seed?size&shape&format&quality` serves (PNG unless `encoding` says otherwise), made in Node by
 * the same src/runtime steps as src/routes/face.ts, with the codecs compiled from the same wasm files.
 */
export async function nodeFace(model: LoadedModel, seed: string, size: number, shape: 'square' | 'circle', encoding: Encoding = { format: 'png', quality: 0 }): Promise<Uint8Array> {
  const latent = latentFromDigest(await seedDigest(seed), model.entry.latentSize);
  const { rgba } = await renderFaces(model, [latent], { size, shape });
  return (await encoders.get(encoding.format))(rgba[0], size, size, { opaque: shape === 'square', quality: encoding.quality });
}

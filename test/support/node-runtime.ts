/**
 * src/runtime on Node, the same code the worker runs, for tests that compare it with the worker: models/ as a bucket,
 * and the model loaded on either onnxruntime-web's wasm build (the worker's own kernels, so bytes must match) or
 * onnxruntime-node (native kernels, which round differently now and then).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MODELS_DIR } from '../../scripts/lib/models-dir';
import { nodeEncoders } from '../../scripts/lib/node-codecs';
import { NODE_ORTS, type NodeBackend } from '../../scripts/lib/node-ort';
import { drawFaces } from '../../src/runtime/draw';
import { isOpaque, squareFrame, type Frame } from '../../src/runtime/frame';
import type { Encoding } from '../../src/runtime/encode';
import { faceLatent } from '../../src/runtime/face-latent';
import { seedDigest } from '../../src/runtime/latent';
import { ModelStore, type LoadedModel, type ModelBucket } from '../../src/runtime/model-store';

/** {@link MODELS_DIR} as a bucket. */
export const folderBucket: ModelBucket = {
  async get(key) {
    const bytes = await readFile(join(MODELS_DIR, key)).catch(() => null);
    return bytes && { arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) };
  },
};

/** The current model of models/ loaded in Node with onnxruntime-web's wasm build or onnxruntime-node. */
export function nodeModel(backend: NodeBackend): Promise<LoadedModel> {
  return new ModelStore(NODE_ORTS[backend]).model(folderBucket);
}

const encoders = nodeEncoders();

/**
 * The image `GET /face/:seed?size&shape&format&quality` serves (PNG unless `encoding` says otherwise), made in Node by
 * the same src/runtime steps as src/routes/face.ts, with the codecs compiled from the same wasm files; `frame` draws
 * it in another frame (width × height, fit, background, grayscale, blur) instead of the plain `size` square.
 */
export async function nodeFace(model: LoadedModel, seed: string, size: number, shape: 'square' | 'circle', encoding: Encoding = { format: 'png', quality: 0 }, frame: Frame = squareFrame(size, shape)): Promise<Uint8Array> {
  const latent = faceLatent(await seedDigest(seed), model.entry.latentSize, model.attributes, []);
  const { rgba } = await drawFaces(model, [latent], frame);
  return encoders.encodeFaces(rgba, { ...encoding, layout: 'row', width: frame.width, height: frame.height, opaque: isOpaque(frame) });
}

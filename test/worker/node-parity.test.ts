import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ortNode from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { MODELS_DIR } from '../../scripts/lib/worker';
import { latentFromDigest, seedDigest } from '../../src/runtime/latent';
import { renderFaces } from '../../src/runtime/faces';
import { ModelStore, type ModelBucket } from '../../src/runtime/model-store';
import type { OrtApi } from '../../src/runtime/decoder';
import { encodePng } from '../../src/runtime/png';
import { decodePng } from '../support/png';
import { get, useWorker } from '../support/fixtures';

const worker = useWorker({ models: true });

/** models/ as a bucket. */
const folderBucket: ModelBucket = {
  async get(key) {
    const bytes = await readFile(join(MODELS_DIR, key)).catch(() => null);
    return bytes && { arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) };
  },
};

describe('src/runtime in Node (onnxruntime-node) agrees with the worker (onnxruntime-web in workerd)', () => {
  it.each(['alice', 'bob', 'émile 😀'])('%s: same face within one 8-bit step per channel', async (seed) => {
    const ort: OrtApi = { InferenceSession: ortNode.InferenceSession, Tensor: ortNode.Tensor as never, executionProviders: ['cpu'] };
    const model = await new ModelStore(ort).model(folderBucket);
    const latent = latentFromDigest(await seedDigest(seed), model.entry.latentSize);
    const { rgba } = await renderFaces(model, [latent], { size: 96, shape: 'square' });
    const node = decodePng(encodePng(rgba[0], 96, 96, true)).frames[0];
    const edge = decodePng((await get(worker(), `/face/${encodeURIComponent(seed)}?size=96`)).body).frames[0];
    let worst = 0;
    for (let i = 0; i < node.length; i++) worst = Math.max(worst, Math.abs(node[i] - edge[i]));
    expect(worst).toBeLessThanOrEqual(1);
  });
});

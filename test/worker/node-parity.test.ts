import { describe, expect, it } from 'vitest';
import { decodePng } from '../../scripts/lib/png-reader';
import { get, useWorker } from '../support/fixtures';
import { nodeFace, nodeModel } from '../support/node-runtime';

const worker = useWorker({ models: true });

describe('src/runtime in Node (onnxruntime-node) agrees with the worker (onnxruntime-web in workerd)', () => {
  it.each(['alice', 'bob', 'émile 😀'])('%s: same face within one 8-bit step per channel', async (seed) => {
    const model = await nodeModel('native');
    const node = decodePng(await nodeFace(model, seed, 96, 'square')).frames[0];
    const edge = decodePng((await get(worker(), `/face/${encodeURIComponent(seed)}?size=96`)).body).frames[0];
    let worst = 0;
    for (let i = 0; i < node.length; i++) worst = Math.max(worst, Math.abs(node[i] - edge[i]));
    expect(worst).toBeLessThanOrEqual(1);
  });
});

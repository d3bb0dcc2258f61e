import { describe, expect, it } from 'vitest';
import { BatchingDecoder, maxBatch, type OrtApi } from '../../src/runtime/decoder';

/**
 * A fake session whose image starts (z0, z1, z0 + z1), zeros after; records batch sizes and whether two runs ever
 * overlapped.
 */
function fakeOrt(options: { fail?: boolean; fixedBatch?: number; imageSize?: number } = {}) {
  const graph = { input: 'z', output: 'image', latentSize: 2, imageSize: options.imageSize ?? 1 };
  const per = 3 * graph.imageSize ** 2;
  const batches: number[] = [];
  let running = 0, overlapped = false;
  const session = {
    inputMetadata: [{ name: 'z', isTensor: true, type: 'float32', shape: [options.fixedBatch ?? 'N', 2] }],
    async run(feeds: Record<string, { data: Float32Array; dims: number[] }>) {
      if (running++) overlapped = true;
      await new Promise((r) => setTimeout(r, 5));
      running--;
      if (options.fail) throw new Error('boom');
      const { data, dims } = feeds.z;
      batches.push(dims[0]);
      const out = new Float32Array(dims[0] * per);
      for (let i = 0; i < dims[0]; i++) out.set([data[2 * i], data[2 * i + 1], data[2 * i] + data[2 * i + 1]], per * i);
      return { image: { data: out } };
    },
  };
  const ort = { Tensor: class { constructor(readonly type: string, readonly data: Float32Array, readonly dims: number[]) {} }, sessionOptions: { executionProviders: [] } } as unknown as OrtApi;
  return { decoder: new BatchingDecoder(ort, session as never, graph), batches, overlapped: () => overlapped };
}

const z = (a: number, b: number) => new Float32Array([a, b]);

describe('BatchingDecoder', () => {
  it('decodes requests of one turn in one run, and requests that arrive mid-run in the next, never overlapping', async () => {
    const { decoder, batches, overlapped } = fakeOrt();
    const first = Array.from({ length: 5 }, (_, i) => decoder.decode([z(i, 1)]));
    await new Promise((r) => setTimeout(r, 1)); // the first run is now in progress
    const second = Array.from({ length: 3 }, (_, i) => decoder.decode([z(10 + i, 1)]));
    const results = await Promise.all([...first, ...second]);
    expect(batches).toEqual([5, 3]);
    expect(overlapped()).toBe(false);
    results.forEach(([planes], i) => {
      const a = i < 5 ? i : 10 + i - 5;
      expect(Array.from(planes)).toEqual([a, 1, a + 1]);
    });
  });

  it.each([[64, 16], [128, 4], [512, 1]])('splits latents of a %i px model into runs of at most %i, keeping their order', async (imageSize, most) => {
    expect(maxBatch(imageSize)).toBe(most);
    const { decoder, batches } = fakeOrt({ imageSize });
    const latents = Array.from({ length: 2 * most + 1 }, (_, i) => z(i, 0));
    const planes = await decoder.decode(latents);
    expect(batches).toEqual([most, most, 1]);
    expect(planes.map((p) => p[0])).toEqual(latents.map((l) => l[0]));
  });

  it('gives a graph with a fixed batch size exactly that many rows per run, zero-padded, and returns only the real faces', async () => {
    const { decoder, batches } = fakeOrt({ fixedBatch: 4 });
    const planes = await decoder.decode(Array.from({ length: 6 }, (_, i) => z(i, 1)));
    expect(batches).toEqual([4, 4]);
    expect(planes.map((p) => Array.from(p))).toEqual(Array.from({ length: 6 }, (_, i) => [i, 1, i + 1]));
  });

  it('says when the run that decoded a request began: a request that arrives mid-run starts after the running batch', async () => {
    const { decoder } = fakeOrt();
    const called = performance.now();
    const first = decoder.decodeTimed([z(1, 1)]);
    await new Promise((r) => setTimeout(r, 1)); // the first run (5 ms) is now in progress
    const second = await decoder.decodeTimed([z(2, 2)]);
    const { started, planes } = await first;
    expect(started).toBeGreaterThanOrEqual(called);
    expect(second.started - started).toBeGreaterThanOrEqual(4);
    expect(Array.from(second.planes[0])).toEqual([2, 2, 4]);
    expect(Array.from(planes[0])).toEqual([1, 1, 2]);
  });

  it('rejects every request of a failed run, and the next request starts a new run instead of hanging', async () => {
    const failing = fakeOrt({ fail: true });
    await expect(Promise.all([failing.decoder.decode([z(1, 1)]), failing.decoder.decode([z(2, 2)])])).rejects.toThrow('boom');
    await expect(failing.decoder.decode([z(1, 1)])).rejects.toThrow('boom');
  });

  it('rejects a latent of the wrong length without running', async () => {
    const { decoder, batches } = fakeOrt();
    await expect(decoder.decode([new Float32Array(3)])).rejects.toThrow(RangeError);
    expect(batches).toEqual([]);
  });
});

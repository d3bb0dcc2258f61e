import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DETERMINISM_CASES, DETERMINISM_COUNT, determinismHashes, determinismPath, listDigest, workerRender } from '../../scripts/lib/determinism';
import { startWorker, type RunningWorker } from '../../scripts/lib/miniflare';
import { currentEntry, readManifest } from '../../scripts/lib/models-dir';
import type { Vectors } from '../../scripts/lib/vectors';
import type { Encoding } from '../../src/runtime/encode';
import { squareFrame, type Frame } from '../../src/runtime/frame';
import { get, sha256 } from '../support/fixtures';
import { nodeFace, nodeModel } from '../support/node-runtime';

const vectors: Vectors = JSON.parse(readFileSync(join(import.meta.dirname, '../vectors.json'), 'utf8'));

const PATHS = [
  '/face/alice.png',
  '/face/bob?size=48&shape=circle',
  '/interpolate?from=a&to=b&steps=3&size=24&format=apng',
  '/face/alice.webp?size=40&shape=circle',
  '/face/bob.jpg?size=48&quality=30',
  '/interpolate?from=a&to=b&steps=3&size=24&format=webp',
];
const BATCH = Array.from({ length: 12 }, (_, i) => `/face/batch-${i}?size=32`);
const STALE = 'test/vectors.json does not match models/manifest.json: run `npm run vectors` and commit it';

/** The determinism list's URLs where two hash lists differ (the first few), to name what changed. */
function differing(got: string[], want: string[]): string[] {
  return DETERMINISM_CASES.flatMap((c, i) => (got[i] === want[i] ? [] : [determinismPath(c)])).slice(0, 5);
}

describe('determinism across fresh isolates', () => {
  const workers: RunningWorker[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      workers.push(await startWorker(inject('workerDir')));
      await workers[i].putModels();
    }
  });
  afterAll(() => Promise.all(workers.map((w) => w.dispose())));

  it('the same URLs give identical bytes in two fresh workers, serial or concurrent (batched)', async () => {
    const [a, b] = workers;
    const serial: string[] = [];
    for (const p of [...PATHS, ...BATCH]) serial.push(sha256((await get(a, p)).body));
    // Concurrent requests on a fresh isolate are decoded in shared batches.
    const concurrent = await Promise.all([...PATHS, ...BATCH].map(async (p) => sha256((await get(b, p)).body)));
    expect(concurrent).toEqual(serial);
  });

  it('/latent matches the committed latent vectors (generated in Node, checked in workerd)', async () => {
    const [a] = workers;
    for (const { seed, first } of vectors.latents) {
      const { body, status } = await get(a, `/latent/${encodeURIComponent(seed)}`);
      expect(status).toBe(200);
      const json = JSON.parse(Buffer.from(body).toString());
      expect(json.latent).toHaveLength(currentEntry().latentSize);
      expect(json.latent.slice(0, first.length)).toEqual(first);
    }
  });

  it('WebP and JPEG: the same bytes in worker A, worker B and src/runtime on Node (onnxruntime-web wasm)', async () => {
    const model = await nodeModel('wasm');
    const cases = DETERMINISM_CASES.slice(0, 24).flatMap((c, i) => {
      const quality = [85, 40, 100][i % 3];
      const jpeg = c.shape === 'square' ? [{ ...c, format: 'jpeg' as const, quality }] : [];
      return [{ ...c, format: 'webp' as const, quality }, ...jpeg];
    });
    const path = (c: (typeof cases)[number]) => `/face/${encodeURIComponent(c.seed)}?size=${c.size}&shape=${c.shape}&format=${c.format}&quality=${c.quality}`;
    const [a, b] = await Promise.all(workers.map((w) => Promise.all(cases.map(async (c) => sha256((await get(w, path(c))).body)))));
    const node: string[] = [];
    for (const c of cases) node.push(sha256(await nodeFace(model, c.seed, c.size, c.shape, c)));
    expect(b).toEqual(a);
    expect(node).toEqual(a);
  });

  it('frames (width × height, fit, background, dpr, grayscale, blur): the same bytes in worker A, worker B and src/runtime on Node (onnxruntime-web wasm)', async () => {
    const model = await nodeModel('wasm');
    const frames: Array<{ query: string; frame: Frame; encoding?: Encoding }> = [
      { query: 'width=300&height=200', frame: { ...squareFrame(300), height: 200 } },
      { query: 'width=120&height=200&fit=contain&background=ff8800', frame: { ...squareFrame(120), height: 200, fit: 'contain', background: [255, 136, 0] } },
      { query: 'width=200&height=120&fit=contain&background=transparent&format=webp', frame: { ...squareFrame(200), height: 120, fit: 'contain', background: 'transparent' }, encoding: { format: 'webp', quality: 85 } },
      { query: 'size=48&dpr=3&grayscale&blur=3', frame: { ...squareFrame(144), grayscale: true, blur: 3 } },
      { query: 'size=100&shape=circle&background=0000ff&blur=10&format=jpeg', frame: { ...squareFrame(100, 'circle'), background: [0, 0, 255], blur: 10 }, encoding: { format: 'jpeg', quality: 85 } },
    ];
    for (const [i, { query, frame, encoding }] of frames.entries()) {
      const seed = DETERMINISM_CASES[i].seed;
      const [a, b] = await Promise.all(workers.map(async (w) => sha256((await get(w, `/face/${encodeURIComponent(seed)}?${query}`)).body)));
      expect(b, query).toBe(a);
      expect(sha256(await nodeFace(model, seed, frame.width, frame.shape, encoding, frame)), query).toBe(a);
    }
  });

  it('image bytes (PNG, WebP, JPEG) match the committed vectors for every model version, old ones included', async () => {
    const recorded = (v: { version: string; sha256: string }) => `${v.version} ${v.sha256}`;
    expect(vectors.images.map((m) => recorded(m.model)), STALE).toEqual(readManifest().models.map(recorded));
    const [a] = workers;
    for (const { cases } of vectors.images) {
      for (const { path, sha256: want } of cases) expect(sha256((await get(a, path)).body), path).toBe(want);
    }
  });

  describe(`${DETERMINISM_COUNT} faces (scripts/lib/determinism.ts)`, () => {
    let inA: Promise<string[]> | undefined;
    // Different concurrency in the two workers, so each face shares its decoder run with different neighbours
    // (the serial case is covered above; 1,000 faces one at a time cost too long here).
    const hashesA = () => (inA ??= determinismHashes(workerRender(workers[0]), 5));

    it('same bytes in worker A, worker B and src/runtime on Node (onnxruntime-web wasm)', async () => {
      const a = await hashesA();
      const b = await determinismHashes(workerRender(workers[1]), 16);
      const model = await nodeModel('wasm');
      const node = await determinismHashes((c) => nodeFace(model, c.seed, c.size, c.shape), 16);
      expect(differing(b, a), 'worker B vs worker A').toEqual([]);
      expect(differing(node, a), 'Node vs worker A').toEqual([]);
    });

    it('the list digest matches the committed vector for the current model', async () => {
      expect(vectors.faceList?.model.sha256, STALE).toBe(currentEntry().sha256);
      expect(vectors.faceList!.count).toBe(DETERMINISM_COUNT);
      expect(listDigest(await hashesA())).toBe(vectors.faceList!.digest);
    });
  });
});

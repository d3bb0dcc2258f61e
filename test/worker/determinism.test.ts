import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startWorker, type RunningWorker } from '../../scripts/lib/worker';
import { currentModel, get, sha256 } from '../support/fixtures';

interface Vectors {
  latents: Array<{ seed: string; first: number[] }>;
  png: { model: { version: string; sha256: string }; cases: Array<{ path: string; sha256: string }> } | null;
}
const vectors: Vectors = JSON.parse(readFileSync(join(import.meta.dirname, '../vectors.json'), 'utf8'));

const PATHS = ['/face/alice.png', '/face/bob?size=48&shape=circle', '/interpolate?from=a&to=b&steps=3&size=24&format=apng'];
const BATCH = Array.from({ length: 12 }, (_, i) => `/face/batch-${i}?size=32`);

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
      expect(json.latent).toHaveLength(currentModel().latentSize);
      expect(json.latent.slice(0, first.length)).toEqual(first);
    }
  });

  it('PNG bytes match the committed vectors for the current model', async () => {
    const model = currentModel();
    expect(vectors.png?.model.sha256, 'test/vectors.json is for another model: run `npm run vectors` and commit it').toBe(model.sha256);
    const [a] = workers;
    for (const { path, sha256: want } of vectors.png!.cases) expect(sha256((await get(a, path)).body), path).toBe(want);
  });
});

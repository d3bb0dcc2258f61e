import { beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '../../scripts/lib/worker';
import { currentModel, get, useWorker } from '../support/fixtures';

async function expect503(worker: ReturnType<ReturnType<typeof useWorker>>, path: string, mention: string) {
  const { status, body, header } = await get(worker, path);
  expect(status, path).toBe(503);
  expect(header('content-type')).toMatch(/^application\/json/);
  expect(Number(header('retry-after'))).toBeGreaterThan(0);
  expect(header('cache-control')).toBe('no-store');
  const json = JSON.parse(Buffer.from(body).toString());
  expect(json.error).toBe('model_unavailable');
  expect(json.detail).toContain(mention);
}

describe('model store', () => {
  describe('an empty bucket', () => {
    const worker = useWorker({ models: false });

    it('gives 503 + Retry-After on every model route, then recovers once the model is put', async () => {
      for (const path of ['/face/a', '/face/a.png', '/interpolate?from=a&to=b', '/latent/a', '/healthz']) await expect503(worker(), path, 'manifest.json');
      await worker().putModels();
      expect((await get(worker(), '/face/a?size=16')).status).toBe(200);
      expect((await get(worker(), '/healthz')).status).toBe(200);
    });
  });

  describe('a manifest whose decoder file is missing, then corrupt', () => {
    const worker = useWorker({ models: true });

    it('503 while the file is missing or fails its sha256; the next request after the fix succeeds', async () => {
      const { file } = currentModel();
      const bucket = await worker().mf.getR2Bucket('MODELS');
      const good = new Uint8Array(await (await bucket.get(file))!.arrayBuffer());
      await bucket.delete(file);
      await expect503(worker(), '/face/missing?size=16', 'missing');

      const corrupt = good.slice();
      corrupt[corrupt.length >> 1] ^= 0xff;
      await bucket.put(file, corrupt);
      await expect503(worker(), '/face/missing?size=16', 'sha256');

      await bucket.put(file, good);
      const ok = await get(worker(), '/face/missing?size=16');
      expect(ok.status).toBe(200);
      expect(ok.header('content-type')).toBe('image/png');
    });
  });

  describe('a manifest that does not describe its decoder', () => {
    const worker = useWorker({ models: true });
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['output name', { output: 'not-the-output' }, 'not-the-output'],
      ['image size', { imageSize: 32 }, 'decoder output has'],
      ['latent size', { latentSize: 7 }, 'failed to load'],
    ];
    const versionOf = (what: string) => `broken-${what.replace(' ', '-')}`;

    // All broken entries go in before the first request: the worker keeps a manifest it has read for a minute.
    beforeAll(async () => {
      const manifest = readManifest();
      const entry = manifest.models.find((m) => m.version === manifest.current)!;
      const broken = cases.map(([what, patch]) => ({ ...entry, ...patch, version: versionOf(what) }));
      const bucket = await worker().mf.getR2Bucket('MODELS');
      await bucket.put('manifest.json', JSON.stringify({ ...manifest, models: [...manifest.models, ...broken] }));
    });

    it.each(cases)('wrong %s → 503 at load, not a 500 per request', async (what, _, mention) => {
      await expect503(worker(), `/face/x?size=16&v=${versionOf(what)}`, mention);
    });

    it('the good version keeps working beside them', async () => {
      expect((await get(worker(), '/face/x?size=16')).status).toBe(200);
    });
  });
});

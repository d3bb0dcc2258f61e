import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningWorker } from '../../scripts/lib/miniflare';
import { currentEntry, readManifest } from '../../scripts/lib/models-dir';
import { get, sha256, useWorker } from '../support/fixtures';

/** A 503 JSON `model_unavailable` whose detail mentions `mention`, with Retry-After and no-store. */
async function expect503(worker: RunningWorker, path: string, mention: string) {
  const { status, body, header } = await get(worker, path);
  expect(status, path).toBe(503);
  expect(header('content-type')).toMatch(/^application\/json/);
  expect(Number(header('retry-after'))).toBeGreaterThan(0);
  expect(header('cache-control')).toBe('no-store');
  const json = JSON.parse(Buffer.from(body).toString());
  expect(json.error).toBe('model_unavailable');
  expect(json.detail).toContain(mention);
}

/** A 200 PNG rendered for this request (Server-Timing has `decode`), not one taken from the Cache API. */
async function expectFreshPng(worker: RunningWorker, path: string) {
  const { status, header } = await get(worker, path);
  expect(status, path).toBe(200);
  expect(header('content-type')).toBe('image/png');
  expect(header('server-timing')).toMatch(/decode/);
  expect(header('server-timing')).not.toMatch(/cache/);
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
      const { file } = currentEntry();
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

  // Faults in the manifest: each is met on a worker that has not read a good manifest yet (it trusts one it has
  // read for a minute), and a model that fails to load makes the worker read the manifest again next time.
  describe('a manifest that is malformed, names a missing current version, or gives a wrong sha256, fixed in place', () => {
    const worker = useWorker({ models: true });

    it('503 naming each fault, nothing cached; the request after the fix is a fresh 200', async () => {
      const manifest = readManifest();
      const good = JSON.stringify(manifest);
      const withSha = (sha256: string) => ({ ...manifest, models: manifest.models.map((m) => (m.version === manifest.current ? { ...m, sha256 } : m)) });
      const faults: Array<[string, string]> = [
        [good.slice(0, good.length >> 1), 'not valid JSON'],
        [JSON.stringify({ ...manifest, current: 'gone' }), 'current names no listed model'],
        [JSON.stringify(withSha('0'.repeat(64))), 'does not match its sha256'],
      ];
      const bucket = await worker().mf.getR2Bucket('MODELS');
      for (const [text, mention] of faults) {
        await bucket.put('manifest.json', text);
        await expect503(worker(), '/face/fault?size=16', mention);
      }
      await bucket.put('manifest.json', good);
      await expectFreshPng(worker(), '/face/fault?size=16');
    });
  });

  describe('a truncated decoder object', () => {
    const worker = useWorker({ models: true });

    it('503 on the sha256 check, and at load when the manifest matches the truncated bytes; recovers once both are fixed', async () => {
      const manifest = readManifest();
      const { file } = currentEntry();
      const bucket = await worker().mf.getR2Bucket('MODELS');
      const good = new Uint8Array(await (await bucket.get(file))!.arrayBuffer());
      const truncated = good.slice(0, good.length >> 1);
      await bucket.put(file, truncated);
      await expect503(worker(), '/face/cut?size=16', 'does not match its sha256');

      const entry = { sha256: sha256(truncated), bytes: truncated.length };
      await bucket.put('manifest.json', JSON.stringify({ ...manifest, models: manifest.models.map((m) => (m.file === file ? { ...m, ...entry } : m)) }));
      await expect503(worker(), '/face/cut?size=16', 'failed to load');

      await bucket.put(file, good);
      await bucket.put('manifest.json', JSON.stringify(manifest));
      await expectFreshPng(worker(), '/face/cut?size=16');
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

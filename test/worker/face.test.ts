import { describe, expect, it } from 'vitest';
import { decodePng } from '../../scripts/lib/png-reader';
import { currentEntry } from '../../scripts/lib/models-dir';
import { get, useWorker } from '../support/fixtures';

const worker = useWorker({ models: true });

describe('GET /face/:seed', () => {
  it.each([
    ['/face/alice', 128],
    ['/face/alice?size=16', 16],
    ['/face/alice?size=17', 17],
    ['/face/alice?size=64', 64],
    ['/face/alice?size=200', 200],
    ['/face/alice?size=512', 512],
  ])('%s is a valid %ipx opaque PNG', async (path, size) => {
    const { status, body, header } = await get(worker(), path);
    expect(status).toBe(200);
    expect(header('content-type')).toBe('image/png');
    const png = decodePng(body);
    expect([png.width, png.height]).toEqual([size, size]);
    expect(png.frames).toHaveLength(1);
    expect(png.colorType).toBe(2);
    const px = png.frames[0];
    // Decoder output must reach the pixels: not one flat colour.
    expect(new Set(Array.from(px.filter((_, i) => i % 4 !== 3))).size).toBeGreaterThan(1);
  });

  it('the .png form works without a query string and equals the default parameters', async () => {
    const a = await get(worker(), '/face/gravatar-user.png');
    const b = await get(worker(), '/face/gravatar-user?size=128&shape=square');
    expect(a.status).toBe(200);
    expect(a.header('content-type')).toBe('image/png');
    expect(Buffer.from(a.body).equals(Buffer.from(b.body))).toBe(true);
    expect(a.header('etag')).toBe(b.header('etag'));
  });

  it('only a trailing .png is stripped: /face/x.png.png is the seed "x.png"', async () => {
    const a = await get(worker(), '/face/x.png.png?size=16');
    const b = await get(worker(), '/face/x.png?size=16');
    expect(a.status).toBe(200);
    expect(a.header('etag')).not.toBe(b.header('etag'));
  });

  it('circle shape: transparent corners, opaque centre, anti-aliased edge', async () => {
    const { body } = await get(worker(), '/face/alice?size=64&shape=circle');
    const { frames, width, colorType } = decodePng(body);
    expect(colorType).toBe(6);
    const alpha = (x: number, y: number) => frames[0][(y * width + x) * 4 + 3];
    expect([alpha(0, 0), alpha(63, 0), alpha(0, 63), alpha(63, 63)]).toEqual([0, 0, 0, 0]);
    expect(alpha(32, 32)).toBe(255);
    const values = new Set(Array.from({ length: width * width }, (_, i) => frames[0][i * 4 + 3]));
    expect(values.size).toBeGreaterThan(3);
  });

  it('sends every caching, CORS and diagnostics header', async () => {
    const { header } = await get(worker(), '/face/headers-check?size=32');
    expect(header('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(header('access-control-allow-origin')).toBe('*');
    expect(header('access-control-expose-headers')).toMatch(/ETag.*X-Model-Version/i);
    expect(header('x-model-version')).toBe(currentEntry().version);
    expect(header('etag')).toMatch(/^"[0-9a-f]{16}-[0-9a-f]{32}-32-square"$/);
    expect(header('etag')!.slice(1, 17)).toBe(currentEntry().sha256.slice(0, 16));
    expect(header('server-timing')).toMatch(/queue;dur=[0-9.]+.*decode;dur=[0-9.]+.*encode;dur=[0-9.]+.*total;dur=[0-9.]+/);
    expect(header('timing-allow-origin')).toBe('*');
  });

  it('ETags differ by seed, size, shape and agree for equivalent URLs', async () => {
    const etag = async (p: string) => (await get(worker(), p)).header('etag');
    const base = await etag('/face/e?size=16');
    expect(await etag('/face/e.png?size=16&shape=square')).toBe(base);
    expect(await etag('/face/f?size=16')).not.toBe(base);
    expect(await etag('/face/e?size=17')).not.toBe(base);
    expect(await etag('/face/e?size=16&shape=circle')).not.toBe(base);
  });

  it('answers 304 to a matching If-None-Match, in every accepted form, and 200 otherwise', async () => {
    const first = await get(worker(), '/face/conditional?size=16');
    const etag = first.header('etag')!;
    for (const inm of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const r = await get(worker(), '/face/conditional?size=16', { 'If-None-Match': inm });
      expect(r.status, inm).toBe(304);
      expect(r.body.length).toBe(0);
      expect(r.header('etag')).toBe(etag);
      expect(r.header('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(r.header('access-control-allow-origin')).toBe('*');
    }
    expect((await get(worker(), '/face/conditional?size=16', { 'If-None-Match': '"nope"' })).status).toBe(200);
  });

  it('serves repeats from the Cache API with identical bytes', async () => {
    const a = await get(worker(), '/face/cached-one?size=24');
    expect(a.header('server-timing')).toMatch(/decode/);
    // cache.put runs in waitUntil after the response; give it a moment.
    let b = await get(worker(), '/face/cached-one?size=24');
    for (let i = 0; i < 20 && !b.header('server-timing')?.includes('cache;desc="hit"'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      b = await get(worker(), '/face/cached-one?size=24');
    }
    expect(b.header('server-timing')).toMatch(/^cache;desc="hit",total;dur=/);
    expect(Buffer.from(b.body).equals(Buffer.from(a.body))).toBe(true);
    expect(b.header('etag')).toBe(a.header('etag'));
    expect(b.header('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('accepts any UTF-8 seed up to 256 bytes, including encoded slashes', async () => {
    for (const seed of ['émile 😀', 'a/b', '#?&=', 'x'.repeat(256), 'é'.repeat(128)]) {
      const { status } = await get(worker(), `/face/${encodeURIComponent(seed)}?size=16`);
      expect(status, seed).toBe(200);
    }
  });

  it('v= selects the model version', async () => {
    const { status, header } = await get(worker(), `/face/v-check?size=16&v=${currentEntry().version}`);
    expect(status).toBe(200);
    expect(header('x-model-version')).toBe(currentEntry().version);
  });
});

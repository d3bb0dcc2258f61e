import { describe, expect, it } from 'vitest';
import { decodePng } from '../../scripts/lib/png-reader';
import { currentEntry } from '../../scripts/lib/models-dir';
import { get, useWorker } from '../support/fixtures';

const worker = useWorker({ models: true });

/** Largest per-channel difference between two RGBA images. */
function maxDiff(a: Uint8Array, b: Uint8Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** Tile `i` of a horizontal strip of `n` square tiles. */
function tile(strip: Uint8Array, n: number, size: number, i: number): Uint8Array {
  const out = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) out.set(strip.subarray((y * n + i) * size * 4, (y * n + i + 1) * size * 4), y * size * 4);
  return out;
}

describe('GET /interpolate', () => {
  it.each([
    [2, 16],
    [8, 32],
    [16, 24],
  ])('strip with %i steps at %ipx: one PNG, steps·size wide, ending on the two seeds’ faces', async (steps, size) => {
    const { status, body, header } = await get(worker(), `/interpolate?from=ann&to=ben&steps=${steps}&size=${size}`);
    expect(status).toBe(200);
    expect(header('content-type')).toBe('image/png');
    expect(header('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(header('access-control-allow-origin')).toBe('*');
    expect(header('x-model-version')).toBe(currentEntry().version);
    expect(header('etag')).toMatch(/^"[0-9a-f]{16}-[0-9a-f]{24}-[0-9a-f]{24}-/);
    expect(header('server-timing')).toMatch(/decode;dur=.*encode;dur=/);
    const png = decodePng(body);
    expect([png.width, png.height, png.frames.length]).toEqual([steps * size, size, 1]);
    // Batched decoding may differ from single decoding in the last float bits; allow one rounding step.
    const from = decodePng((await get(worker(), `/face/ann?size=${size}`)).body).frames[0];
    const to = decodePng((await get(worker(), `/face/ben?size=${size}`)).body).frames[0];
    expect(maxDiff(tile(png.frames[0], steps, size, 0), from)).toBeLessThanOrEqual(1);
    expect(maxDiff(tile(png.frames[0], steps, size, steps - 1), to)).toBeLessThanOrEqual(1);
  });

  it('apng plays there and back: 2·steps − 2 frames, looping, same frames as the strip', async () => {
    const steps = 5, size = 32;
    const apng = await get(worker(), `/interpolate?from=ann&to=ben&steps=${steps}&size=${size}&format=apng`);
    expect(apng.status).toBe(200);
    expect(apng.header('content-type')).toBe('image/png');
    const png = decodePng(apng.body);
    expect(png.chunkTypes).toContain('acTL');
    expect(png.numPlays).toBe(0);
    expect([png.width, png.height, png.frames.length]).toEqual([size, size, 2 * steps - 2]);
    expect(png.delaysMs.every((d) => d > 0)).toBe(true);
    const strip = decodePng((await get(worker(), `/interpolate?from=ann&to=ben&steps=${steps}&size=${size}`)).body).frames[0];
    const order = [0, 1, 2, 3, 4, 3, 2, 1];
    order.forEach((t, f) => expect(Buffer.from(png.frames[f]).equals(Buffer.from(tile(strip, steps, size, t))), `frame ${f}`).toBe(true));
  });

  it('from = to is a still sequence, not NaN noise', async () => {
    const png = decodePng((await get(worker(), '/interpolate?from=same&to=same&steps=3&size=16')).body);
    const face = decodePng((await get(worker(), '/face/same?size=16')).body).frames[0];
    for (let i = 0; i < 3; i++) expect(maxDiff(tile(png.frames[0], 3, 16, i), face)).toBeLessThanOrEqual(1);
  });

  it('circle shape gives transparent corners in every frame', async () => {
    const png = decodePng((await get(worker(), '/interpolate?from=a&to=b&steps=2&size=16&shape=circle&format=apng')).body);
    expect(png.colorType).toBe(6);
    for (const f of png.frames) expect(f[3]).toBe(0);
  });

  it('ETag depends on every parameter and 304s on If-None-Match', async () => {
    const base = '/interpolate?from=a&to=b&steps=3&size=16';
    const etag = (await get(worker(), base)).header('etag')!;
    for (const variant of [`${base}&format=apng`, base.replace('steps=3', 'steps=4'), base.replace('to=b', 'to=c'), base.replace('from=a', 'from=c')]) {
      expect((await get(worker(), variant)).header('etag'), variant).not.toBe(etag);
    }
    expect((await get(worker(), base, { 'If-None-Match': etag })).status).toBe(304);
  });
});

/**
 * The worst-case work one request can cause (docs/reliability-notes.md): the largest request of each image route is
 * served whole, and one interpolation needs one decoder run of a 64 px model (four of a 128 px one). One past each
 * limit is a 400: see errors.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { interpolateQuery } from '../../src/http/params';
import { maxBatch } from '../../src/runtime/decoder';
import { get, useWorker } from '../support/fixtures';
import { decodePng } from '../../scripts/lib/png-reader';

const worker = useWorker({ models: true });

describe('bounds', () => {
  it.each([
    ['/face/worst-case?size=512&shape=circle', 512, 512, 1],
    ['/face/worst-case?width=512&height=512&shape=circle&background=ffffff&grayscale&blur=10', 512, 512, 1],
    ['/face/worst-case?size=256&dpr=2&fit=contain&grayscale&blur=10', 512, 512, 1],
    ['/interpolate?from=worst&to=case&steps=16&size=128&dpr=2&shape=circle&grayscale&blur=10', 16 * 256, 256, 1],
    ['/interpolate?from=worst&to=case&steps=16&size=256&shape=circle', 16 * 256, 256, 1],
    ['/interpolate?from=worst&to=case&steps=16&size=256&shape=circle&format=apng', 256, 256, 2 * 16 - 2],
  ])('the largest request %s is served whole', async (path, width, height, frames) => {
    const { status, body } = await get(worker(), path);
    expect(status).toBe(200);
    const png = decodePng(body);
    expect([png.width, png.height, png.frames.length]).toEqual([width, height, frames]);
  });

  it('the most frames an interpolation can ask for fit one decoder run at 64 px, four at 128 px', () => {
    const steps = (n: number) => interpolateQuery.safeParse({ from: 'a', to: 'b', steps: String(n) }).success;
    expect(steps(maxBatch(64))).toBe(true);
    expect(steps(maxBatch(64) + 1)).toBe(false);
    expect(maxBatch(64) / maxBatch(128)).toBe(4);
  });
});

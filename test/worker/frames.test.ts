/** Placeholder frames on `/face` and `/interpolate`: width × height, fit, background, dpr, grayscale, blur, format=auto. */
import { describe, expect, it } from 'vitest';
import { decodePng } from '../../scripts/lib/png-reader';
import { get, useWorker } from '../support/fixtures';
import { webpInfo } from '../support/image-formats';

const worker = useWorker({ models: true });

async function png(path: string) {
  const response = await get(worker(), path);
  expect(response.status, `${path}: ${Buffer.from(response.body).toString().slice(0, 200)}`).toBe(200);
  const image = decodePng(response.body);
  const px = (x: number, y: number) => Array.from(image.frames[0].subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4));
  return { ...response, image, px };
}

/**
 * High-frequency energy: the sum of squared second differences along rows. A first difference would also count the
 * face's broad edges (hair against background), which a σ = 4 blur keeps in part (model 6's alice: 3.8× less by
 * first differences, 34× by second).
 */
function detail(rgba: Uint8Array, width: number, height: number): number {
  let sum = 0;
  const at = (x: number, y: number, c: number) => rgba[(y * width + x) * 4 + c];
  for (let y = 0; y < height; y++) for (let x = 1; x < width - 1; x++) for (let c = 0; c < 3; c++) sum += (at(x + 1, y, c) - 2 * at(x, y, c) + at(x - 1, y, c)) ** 2;
  return sum;
}

describe('frames', () => {
  it('width × height is that frame, and cover crops the face that fills it', async () => {
    const { image } = await png('/face/alice.png?width=300&height=200');
    expect([image.width, image.height, image.colorType]).toEqual([300, 200, 2]);
  });

  it('contain pads with the background colour, or transparency, or the face border colour', async () => {
    const red = await png('/face/alice.png?width=300&height=200&fit=contain&background=ff0000');
    expect(red.px(0, 0)).toEqual([255, 0, 0, 255]);
    expect(red.px(299, 199)).toEqual([255, 0, 0, 255]);
    const clear = await png('/face/alice.png?width=300&height=200&fit=contain&background=transparent');
    expect(clear.image.colorType).toBe(6);
    expect(clear.px(0, 0)[3]).toBe(0);
    expect(clear.px(150, 100)[3]).toBe(255);
    const auto = await png('/face/alice.png?width=300&height=200&fit=contain');
    expect(auto.image.colorType).toBe(2);
    expect(auto.px(0, 0)).toEqual(auto.px(299, 199)); // one colour, taken from the face
  });

  it('?size=64&dpr=2 is ?size=128 byte for byte, with the same ETag', async () => {
    const a = await get(worker(), '/face/alice.png?size=64&dpr=2');
    const b = await get(worker(), '/face/alice.png?size=128');
    expect(Buffer.from(a.body).equals(Buffer.from(b.body))).toBe(true);
    expect(a.header('etag')).toBe(b.header('etag'));
    const wide = await get(worker(), '/face/alice.png?width=150&height=100&dpr=2');
    const same = await get(worker(), '/face/alice.png?width=300&height=200');
    expect(Buffer.from(wide.body).equals(Buffer.from(same.body))).toBe(true);
  });

  it('grayscale gives R = G = B in every pixel', async () => {
    const { image } = await png('/face/alice.png?size=64&grayscale');
    const px = image.frames[0];
    for (let i = 0; i < px.length; i += 4) expect(px[i] === px[i + 1] && px[i] === px[i + 2]).toBe(true);
    const one = await get(worker(), '/face/alice.png?size=64&grayscale=1');
    expect(one.header('etag')).toBe((await get(worker(), '/face/alice.png?size=64&grayscale')).header('etag'));
  });

  it('blur=4 has less fine detail than the plain face', async () => {
    const plain = await png('/face/alice.png?size=128');
    const blurred = await png('/face/alice.png?size=128&blur=4');
    expect(detail(blurred.image.frames[0], 128, 128)).toBeLessThan(detail(plain.image.frames[0], 128, 128) / 4);
  });

  it('format=auto answers WebP to a client that takes it and PNG otherwise, both with Vary: Accept', async () => {
    const webp = await get(worker(), '/face/alice?format=auto', { Accept: 'image/webp,*/*' });
    expect(webp.header('content-type')).toBe('image/webp');
    expect(webpInfo(webp.body).width).toBe(128);
    expect(webp.header('vary')).toMatch(/Accept/);
    expect(webp.header('etag')).toBe((await get(worker(), '/face/alice.webp')).header('etag'));
    const plain = await get(worker(), '/face/alice?format=auto', { Accept: 'image/png' });
    expect(plain.header('content-type')).toBe('image/png');
    expect(plain.header('vary')).toMatch(/Accept/);
    const refused = await get(worker(), '/face/alice?format=auto', { Accept: 'image/webp;q=0, image/png' });
    expect(refused.header('content-type')).toBe('image/png');
    // a fixed format varies on nothing
    expect((await get(worker(), '/face/alice.png', { Accept: 'image/webp' })).header('vary') ?? '').not.toMatch(/Accept/);
  });

  it('a circle on a background colour is opaque, and so may be a JPEG', async () => {
    const { status, header } = await get(worker(), '/face/alice.jpg?size=64&shape=circle&background=ffffff');
    expect(status).toBe(200);
    expect(header('content-type')).toBe('image/jpeg');
  });

  it('/interpolate takes a background, grayscale, blur and dpr for every frame', async () => {
    const { image, px } = await png('/interpolate?from=a&to=b&steps=3&size=32&dpr=2&shape=circle&background=00ff00&grayscale');
    expect([image.width, image.height, image.colorType]).toEqual([3 * 64, 64, 2]);
    expect(px(0, 0)).toEqual([0, 255, 0, 255]); // the background is not greyed: it is what the page asked for
    const [r, g, b] = px(32, 32);
    expect(r === g && g === b).toBe(true);
  });
});

describe('frames: bad values are 400s that name the parameter', () => {
  it.each([
    ['/face/alice.png?width=9999', 'width'],
    ['/face/alice.png?background=zzz', 'background'],
    ['/face/alice.png?size=64&width=64', 'size'],
    ['/face/alice.png?dpr=4', 'dpr'],
    ['/face/alice.png?size=256&dpr=3', 'dpr'],
    ['/face/alice.jpg?format=auto', 'format'],
    ['/face/alice.jpg?width=300&height=200&fit=contain&background=transparent', 'background'],
    ['/face/alice.png?width=300&height=200&shape=circle', 'shape'],
    ['/face/alice.png?blur=11', 'blur'],
    ['/face/alice.png?grayscale=yes', 'grayscale'],
    ['/face/alice.png?fit=stretch', 'fit'],
    ['/interpolate?from=a&to=b&size=200&dpr=2', 'dpr'],
  ])('%s', async (path, param) => {
    const { status, body, header } = await get(worker(), path);
    expect(status).toBe(400);
    expect(header('content-type')).toMatch(/application\/json/);
    const json = JSON.parse(Buffer.from(body).toString());
    expect(json.error).toBe('invalid_query');
    expect(json.detail).toMatch(new RegExp(`\\b${param}\\b`));
  });
});

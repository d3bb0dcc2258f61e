import { beforeAll, describe, expect, it } from 'vitest';
import { nodeDecoders, type Decoded } from '../../scripts/lib/node-codecs';
import { psnr } from '../../bench/formats';
import { decodePng } from '../../scripts/lib/png-reader';
import { get, sha256, useWorker } from '../support/fixtures';
import { jpegInfo, webpInfo } from '../support/image-formats';

const worker = useWorker({ models: true });

let decoders: Awaited<ReturnType<typeof nodeDecoders>>;
beforeAll(async () => {
  decoders = await nodeDecoders();
});

/** Decodes a WebP or JPEG answer with the codecs' own decoders, after checking its container. */
function decode(contentType: string | null, body: Uint8Array): Decoded & { alpha: boolean } {
  if (contentType === 'image/webp') return { ...decoders.webp(body), alpha: webpInfo(body).alpha };
  if (contentType === 'image/jpeg') return { ...decoders.jpeg(body), alpha: jpegInfo(body).components === 4 };
  throw new Error(`not a lossy image: ${contentType}`);
}

describe('WebP and JPEG faces', () => {
  // First in this file's fresh worker: before it, no lossy face has been asked for.
  it('starts each codec on its first face, and /healthz then counts its wasm memory', async () => {
    const wasmBytes = async () => JSON.parse(Buffer.from((await get(worker(), '/healthz')).body).toString()).memory.wasmBytes as number;
    expect((await get(worker(), '/face/mem.png?size=16')).status).toBe(200);
    const ortOnly = await wasmBytes();
    expect((await get(worker(), '/face/mem.webp?size=16')).status).toBe(200);
    const withWebp = await wasmBytes();
    expect((await get(worker(), '/face/mem.jpg?size=16')).status).toBe(200);
    const withBoth = await wasmBytes();
    // Emscripten's initial heap is 16 MiB per codec.
    expect(withWebp - ortOnly).toBeGreaterThanOrEqual(16 * 2 ** 20);
    expect(withBoth - withWebp).toBeGreaterThanOrEqual(16 * 2 ** 20);
  });

  it.each([
    ['/face/alice.webp', 'image/webp', 128],
    ['/face/alice.jpg?size=40', 'image/jpeg', 40],
    ['/face/alice.jpeg?size=17', 'image/jpeg', 17],
    ['/face/alice?format=webp&size=512', 'image/webp', 512],
    ['/face/alice?format=jpeg&size=16&quality=1', 'image/jpeg', 16],
    ['/face/alice.webp?size=33&quality=100', 'image/webp', 33],
  ])('%s is a valid %s of %ipx', async (path, type, size) => {
    const { status, body, header } = await get(worker(), path);
    expect(status).toBe(200);
    expect(header('content-type')).toBe(type);
    expect(header('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(header('server-timing')).toMatch(/decode;dur=.*encode;dur=/);
    const image = decode(header('content-type'), body);
    expect([image.width, image.height, image.alpha]).toEqual([size, size, false]);
    expect(new Set(Array.from(image.rgba.filter((_, i) => i % 4 !== 3))).size).toBeGreaterThan(1);
  });

  it('at the default quality a face keeps ≥ 38 dB PSNR against its PNG', async () => {
    for (const seed of ['alice', 'bob', 'carol']) {
      const png = decodePng((await get(worker(), `/face/${seed}.png`)).body).frames[0];
      for (const ext of ['webp', 'jpg']) {
        const { body, header } = await get(worker(), `/face/${seed}.${ext}`);
        expect(psnr(png, decode(header('content-type'), body).rgba), `${seed}.${ext}`).toBeGreaterThanOrEqual(38);
      }
    }
  });

  it('a WebP circle keeps transparent corners and an opaque centre', async () => {
    const { body, header } = await get(worker(), '/face/alice.webp?size=64&shape=circle');
    const image = decode(header('content-type'), body);
    expect(image.alpha).toBe(true);
    const alpha = (x: number, y: number) => image.rgba[(y * 64 + x) * 4 + 3];
    expect([alpha(0, 0), alpha(63, 0), alpha(0, 63), alpha(63, 63), alpha(32, 32)]).toEqual([0, 0, 0, 0, 255]);
  });

  it('equivalent URLs share bytes and ETag (.jpg, .jpeg, format=, the default quality spelt out)', async () => {
    const forms = ['/face/eq.jpg?size=24', '/face/eq.jpeg?size=24', '/face/eq?size=24&format=jpeg', '/face/eq.jpg?format=jpeg&size=24&quality=85'];
    const answers = await Promise.all(forms.map((p) => get(worker(), p)));
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(sha256(a.body)).toBe(sha256(answers[0].body));
      expect(a.header('etag')).toBe(answers[0].header('etag'));
    }
    const png = await Promise.all(['/face/eq.png?size=24', '/face/eq?size=24&format=png', '/face/eq.png?format=png&size=24'].map((p) => get(worker(), p)));
    for (const a of png) expect(a.header('etag')).toBe(png[0].header('etag'));
  });

  it('ETags differ by format and quality; PNG keeps its old form', async () => {
    const etag = async (p: string) => (await get(worker(), p)).header('etag');
    const tags = await Promise.all(['/face/t.png?size=16', '/face/t.webp?size=16', '/face/t.jpg?size=16', '/face/t.webp?size=16&quality=84', '/face/t.jpg?size=16&quality=84'].map(etag));
    expect(new Set(tags).size).toBe(tags.length);
    expect(tags[0]).toMatch(/^"[0-9a-f]{16}-[0-9a-f]{32}-16-square"$/);
    expect(tags[1]).toMatch(/^"[0-9a-f]{16}-[0-9a-f]{32}-16-square-webp-q85"$/);
    const r = await get(worker(), '/face/t.webp?size=16', { 'If-None-Match': tags[1]! });
    expect(r.status).toBe(304);
    expect((await get(worker(), '/face/t.webp?size=16', { 'If-None-Match': tags[0]! })).status).toBe(200);
  });

  it('lower quality, fewer bytes', async () => {
    for (const ext of ['webp', 'jpg']) {
      const [low, high] = await Promise.all([20, 95].map(async (q) => (await get(worker(), `/face/q.${ext}?quality=${q}`)).body.length));
      expect(low, ext).toBeLessThan(high);
    }
  });

  it('/face/x.webp is the seed "x" as WebP; /face/x.webp.png the seed "x.webp" as PNG', async () => {
    const a = await get(worker(), '/face/x.webp?size=16');
    const b = await get(worker(), '/face/x?format=webp&size=16');
    expect(sha256(a.body)).toBe(sha256(b.body));
    const c = await get(worker(), '/face/x.webp.png?size=16');
    expect(c.header('content-type')).toBe('image/png');
    expect(c.header('etag')).not.toBe((await get(worker(), '/face/x.png?size=16')).header('etag'));
    // The bare seed "x.WEBP" is not an extension (only lower case is).
    expect((await get(worker(), '/face/x.WEBP?size=16')).header('content-type')).toBe('image/png');
  });

  it('serves a cached WebP with its content type', async () => {
    const a = await get(worker(), '/face/cached.webp?size=24');
    let b = await get(worker(), '/face/cached.webp?size=24');
    for (let i = 0; i < 20 && !b.header('server-timing')?.includes('cache;desc="hit"'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      b = await get(worker(), '/face/cached.webp?size=24');
    }
    expect(b.header('server-timing')).toMatch(/cache;desc="hit"/);
    expect(b.header('content-type')).toBe('image/webp');
    expect(sha256(b.body)).toBe(sha256(a.body));
  });

  it.each([
    ['/face/a.webp?format=jpeg', /contradicts the path's \.webp/],
    ['/face/a.jpg?format=png', /contradicts the path's \.jpg/],
    ['/face/a.png?format=webp', /contradicts/],
    ['/face/a?format=gif', /format/],
    ['/face/a?format=WEBP', /format/],
    ['/face/a.webp?quality=0', /quality/],
    ['/face/a.webp?quality=101', /quality/],
    ['/face/a.webp?quality=8.5', /quality/],
    ['/face/a.webp?quality=', /quality/],
    ['/face/a.webp?quality=80&quality=80', /quality/],
    ['/face/a.png?quality=80', /png is lossless/],
    ['/face/a?quality=80', /png is lossless/],
    ['/face/a.jpg?shape=circle', /circle needs transparency, which jpeg cannot store/],
    ['/face/a?format=jpeg&shape=circle', /circle/],
    ['/interpolate?from=a&to=b&format=jpeg&shape=circle', /circle/],
    ['/interpolate?from=a&to=b&quality=50', /png is lossless/],
    ['/interpolate?from=a&to=b&format=apng&quality=50', /png is lossless/],
    ['/interpolate?from=a&to=b&format=webp&quality=101', /quality/],
    ['/interpolate?from=a&to=b&format=gif', /format/],
  ])('%s is a JSON 400', async (path, detail) => {
    const { status, body, header } = await get(worker(), path);
    expect(status).toBe(400);
    expect(header('content-type')).toMatch(/^application\/json/);
    const json = JSON.parse(Buffer.from(body).toString());
    expect(json.error).toBe('invalid_query');
    expect(json.detail).toMatch(detail);
  });
});

describe('/interpolate strips as WebP and JPEG', () => {
  it.each([
    ['webp', 'image/webp', 'shape=circle'],
    ['jpeg', 'image/jpeg', 'quality=70'],
  ])('format=%s: one %s, steps·size wide', async (format, type, extra) => {
    const { status, body, header } = await get(worker(), `/interpolate?from=ann&to=ben&steps=5&size=24&format=${format}&${extra}`);
    expect(status).toBe(200);
    expect(header('content-type')).toBe(type);
    const image = decode(header('content-type'), body);
    expect([image.width, image.height, image.alpha]).toEqual([5 * 24, 24, extra === 'shape=circle']);
    expect(header('etag')).not.toBe((await get(worker(), `/interpolate?from=ann&to=ben&steps=5&size=24&${extra === 'quality=70' ? '' : extra}`)).header('etag'));
  });
});

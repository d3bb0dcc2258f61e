import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeCodecModules, nodeDecoders, nodeEncoders, type Decoded } from '../../scripts/lib/node-codecs';
import { Encoders, FORMATS, IMAGE_FORMATS } from '../../src/runtime/encode';
import { jpegInfo, webpInfo } from '../support/image-formats';

/** A smooth RGBA image (like a resized face: gradients and one soft blob), opaque or with a circle cut out. */
function smooth(w: number, h: number, seed: number, circle: boolean): Uint8Array {
  const px = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4, d = Math.hypot(x - w / 2, y - h / 2) / Math.max(w, h);
      px[i] = (seed + 3 * x) & 0xff;
      px[i + 1] = (seed * 7 + 2 * y) & 0xff;
      px[i + 2] = Math.round(255 * Math.exp(-8 * d * d));
      px[i + 3] = circle && d > 0.45 ? 0 : 255;
    }
  }
  return px;
}

let decoders: Awaited<ReturnType<typeof nodeDecoders>>;
beforeAll(async () => {
  decoders = await nodeDecoders();
});

const size = fc.integer({ min: 1, max: 70 });

describe('lossy encoders (libwebp and mozjpeg wasm, checked by the same codecs’ decoders)', () => {
  it('write a decodable image of exactly the given size, the same bytes from two fresh codec instances; JPEG always baseline', async () => {
    const [a, b] = [nodeEncoders(), nodeEncoders()];
    for (const format of ['webp', 'jpeg'] as const) {
      const [encodeA, encodeB] = [(await a.get(format)).still, (await b.get(format)).still];
      fc.assert(
        fc.property(size, size, fc.nat(255), fc.integer({ min: 1, max: 100 }), (w, h, seed, quality) => {
          const px = smooth(w, h, seed, false);
          const bytes = encodeA(px, w, h, { opaque: true, quality });
          expect(Buffer.from(encodeB(px, w, h, { opaque: true, quality })).equals(Buffer.from(bytes))).toBe(true);
          // The same instance again: no state carried between calls.
          expect(Buffer.from(encodeA(px, w, h, { opaque: true, quality })).equals(Buffer.from(bytes))).toBe(true);
          const decoded: Decoded = decoders[format](bytes);
          expect([decoded.width, decoded.height]).toEqual([w, h]);
          const declared = format === 'webp' ? webpInfo(bytes) : jpegInfo(bytes);
          expect([declared.width, declared.height]).toEqual([w, h]);
          if (format === 'jpeg') expect(jpegInfo(bytes)).toMatchObject({ sof: 0xc0, components: 3 });
        }),
        { numRuns: 40 },
      );
    }
  });

  it('WebP: an opaque image is simple lossy VP8 (no alpha); a circle keeps its alpha exactly', async () => {
    const encode = (await nodeEncoders().get('webp')).still;
    const square = webpInfo(encode(smooth(64, 64, 1, false), 64, 64, { opaque: true, quality: 85 }));
    expect(square.chunks).toEqual(['VP8 ']);
    const px = smooth(64, 64, 1, true);
    const bytes = encode(px, 64, 64, { opaque: false, quality: 85 });
    expect(webpInfo(bytes)).toMatchObject({ alpha: true, chunks: ['VP8X', 'ALPH', 'VP8 '] });
    const alpha = (rgba: Uint8Array) => rgba.filter((_, i) => i % 4 === 3);
    expect(Buffer.from(alpha(decoders.webp(bytes).rgba)).equals(Buffer.from(alpha(px)))).toBe(true);
  });

  it('quality trades bytes for fidelity', async () => {
    const encoders = nodeEncoders();
    const px = smooth(96, 96, 5, false);
    for (const format of ['webp', 'jpeg'] as const) {
      const encode = (await encoders.get(format)).still;
      const [low, high] = [10, 95].map((quality) => encode(px, 96, 96, { opaque: true, quality }));
      expect(low.length, format).toBeLessThan(high.length);
    }
  });

  it('starts each codec once, on first use, and retries a start that failed', async () => {
    let webpStarts = 0, jpegStarts = 0;
    const encoders = new Encoders({
      webp: () => {
        webpStarts++;
        if (webpStarts === 1) throw new Error('first start fails');
        return nodeCodecModules.webp();
      },
      jpeg: () => {
        jpegStarts++;
        return nodeCodecModules.jpeg();
      },
    });
    await encoders.get('png');
    expect([webpStarts, jpegStarts, encoders.wasmMemoryBytes()]).toEqual([0, 0, 0]);
    await expect(encoders.get('webp')).rejects.toThrow('first start fails');
    const [a, b] = await Promise.all([encoders.get('webp'), encoders.get('webp')]);
    expect(a).toBe(b);
    expect(webpStarts).toBe(2);
    expect(jpegStarts).toBe(0);
    expect(encoders.wasmMemoryBytes()).toBeGreaterThanOrEqual(16 * 2 ** 20);
  });

  it('every format has a distinct content type and extension', () => {
    expect(new Set(FORMATS.map((f) => IMAGE_FORMATS[f].contentType)).size).toBe(FORMATS.length);
    expect(FORMATS.map((f) => IMAGE_FORMATS[f].extension)).toEqual(['png', 'webp', 'jpg']);
  });
});

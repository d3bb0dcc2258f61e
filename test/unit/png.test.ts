import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { huffmanLengths } from '../../src/runtime/deflate';
import { encodeApng, encodePng } from '../../src/runtime/png';
import { decodePng } from '../../scripts/lib/png-reader';

/** Images from noise to flat colour, and geometric histograms that force the code-length limit. */
const image = fc
  .record({ w: fc.integer({ min: 1, max: 40 }), h: fc.integer({ min: 1, max: 40 }), kind: fc.constantFrom('noise', 'flat', 'skewed'), seed: fc.integer() })
  .map(({ w, h, kind, seed }) => {
    const px = new Uint8Array(w * h * 4);
    let s = seed >>> 0;
    for (let i = 0; i < px.length; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      px[i] = kind === 'noise' ? s >>> 24 : kind === 'flat' ? 77 : Math.min(255, Math.clz32(s) * 9);
    }
    return { w, h, px };
  });

describe('PNG encoder (checked by an independent inflater)', () => {
  it('round-trips any RGBA image losslessly, and as RGB when opaque', () => {
    fc.assert(
      fc.property(image, fc.boolean(), ({ w, h, px }, opaque) => {
        if (opaque) for (let i = 3; i < px.length; i += 4) px[i] = 255;
        const decoded = decodePng(encodePng(px, w, h, opaque));
        expect([decoded.width, decoded.height, decoded.colorType]).toEqual([w, h, opaque ? 2 : 6]);
        expect(Buffer.from(decoded.frames[0]).equals(Buffer.from(px))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('APNG: frames, sequence numbers and delays survive, repeated frames included', () => {
    fc.assert(
      fc.property(fc.array(image.filter(({ w, h }) => w === h), { minLength: 1, maxLength: 4 }), (imgs) => {
        const size = imgs[0].w;
        const frames = imgs.map((i) => (i.w === size ? i.px : new Uint8Array(size * size * 4)));
        const sequence = [...frames, ...frames.slice().reverse()];
        const decoded = decodePng(encodeApng(sequence, size, size, 120, false));
        expect(decoded.numPlays).toBe(0);
        expect(decoded.delaysMs).toEqual(sequence.map(() => 120));
        decoded.frames.forEach((f, i) => expect(Buffer.from(f).equals(Buffer.from(sequence[i]))).toBe(true));
      }),
      { numRuns: 40 },
    );
  });

  it('limits Huffman codes to the requested depth and keeps them complete', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 1e6 }), { minLength: 2, maxLength: 300 }), fc.integer({ min: 7, max: 15 }), (freqs, maxBits) => {
        // Fibonacci-like weights are the worst case for depth; mix them in.
        const f = freqs.map((x, i) => (i < 30 ? Math.round(1.6 ** i) : x));
        const lengths = huffmanLengths(f, maxBits);
        let kraft = 0;
        f.forEach((x, i) => {
          expect(lengths[i] > 0).toBe(x > 0);
          expect(lengths[i]).toBeLessThanOrEqual(maxBits);
          if (lengths[i]) kraft += 2 ** -lengths[i];
        });
        expect(kraft).toBeLessThanOrEqual(1);
      }),
      { numRuns: 200 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { effectsTag, frameQuery, frameTag, resolveFrame } from '../../src/http/frame-query';
import { boxWidths, drawFrame, isOpaque, squareFrame, type Frame } from '../../src/runtime/frame';
import { planesToRgba } from '../../src/runtime/image';

const SRC = 32;
/** A face-like test pattern: a vertical colour ramp, a checker of fine detail, and a dark bar at 3/8 of the height. */
const planes = (() => {
  const p = new Float32Array(3 * SRC * SRC);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < SRC; y++) {
      for (let x = 0; x < SRC; x++) p[c * SRC * SRC + y * SRC + x] = y === 12 ? -1 : ((x + y) % 2 ? 0.4 : -0.4) + (c - 1) * 0.3 + y / SRC - 0.5;
    }
  }
  return p;
})();
const RANGE = [-1, 1] as const;
const frame = (f: Partial<Frame>): Frame => ({ ...squareFrame(64), ...f });
const px = (rgba: Uint8Array, width: number, x: number, y: number) => Array.from(rgba.subarray((y * width + x) * 4, (y * width + x) * 4 + 4));

/** Energy of the differences between horizontal neighbours: what a blur takes away. */
function detail(rgba: Uint8Array, width: number, height: number): number {
  let sum = 0;
  for (let y = 0; y < height; y++) for (let x = 1; x < width; x++) for (let c = 0; c < 3; c++) sum += (rgba[(y * width + x) * 4 + c] - rgba[(y * width + x - 1) * 4 + c]) ** 2;
  return sum;
}

describe('frames', () => {
  it('a plain square frame is the resampled face itself: the bytes old URLs always had', () => {
    expect(drawFrame(planes, SRC, RANGE, squareFrame(64))).toEqual(planesToRgba(planes, SRC, { size: 64, valueRange: RANGE }));
  });

  it('cover fills a wide frame with a crop of the face at the side of the frame, centred on the features', () => {
    const out = drawFrame(planes, SRC, RANGE, frame({ width: 96, height: 32 }));
    expect(out.length).toBe(96 * 32 * 4);
    const face = planesToRgba(planes, SRC, { size: 96, valueRange: RANGE });
    const y0 = Math.round(0.46 * 96 - 16);
    for (const [x, y] of [[0, 0], [50, 7], [95, 31]]) expect(px(out, 96, x, y)).toEqual(px(face, 96, x, y + y0));
  });

  it('cover crops a tall frame across, centred', () => {
    const out = drawFrame(planes, SRC, RANGE, frame({ width: 32, height: 96 }));
    const face = planesToRgba(planes, SRC, { size: 96, valueRange: RANGE });
    expect(px(out, 32, 0, 40)).toEqual(px(face, 96, 32, 40));
  });

  it('contain pads with the colour asked for, transparency, or the mean of the face border that meets the padding', () => {
    const red = drawFrame(planes, SRC, RANGE, frame({ width: 96, height: 64, fit: 'contain', background: [255, 0, 0] }));
    expect(px(red, 96, 0, 0)).toEqual([255, 0, 0, 255]);
    expect(px(red, 96, 95, 63)).toEqual([255, 0, 0, 255]);
    const clear = drawFrame(planes, SRC, RANGE, frame({ width: 96, height: 64, fit: 'contain', background: 'transparent' }));
    expect(px(clear, 96, 0, 0)[3]).toBe(0);
    expect(px(clear, 96, 48, 32)[3]).toBe(255);
    const auto = drawFrame(planes, SRC, RANGE, frame({ width: 96, height: 64, fit: 'contain' }));
    const face = planesToRgba(planes, SRC, { size: 64, valueRange: RANGE });
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (let y = 0; y < 64; y++) sum += face[(y * 64) * 4 + c] + face[(y * 64 + 63) * 4 + c];
      expect(auto[c]).toBe(Math.round(sum / 128));
    }
    expect(px(auto, 96, 16 + 10, 20)).toEqual(px(face, 64, 10, 20)); // the face itself, centred
  });

  it('grayscale makes every pixel grey, blur removes detail and keeps flat areas flat', () => {
    const grey = drawFrame(planes, SRC, RANGE, frame({ grayscale: true }));
    for (let i = 0; i < grey.length; i += 4) expect(grey[i] === grey[i + 1] && grey[i + 1] === grey[i + 2]).toBe(true);
    const plain = drawFrame(planes, SRC, RANGE, squareFrame(64));
    const blurred = drawFrame(planes, SRC, RANGE, frame({ blur: 4 }));
    expect(detail(blurred, 64, 64)).toBeLessThan(detail(plain, 64, 64) / 10);
    const flat = drawFrame(new Float32Array(3 * SRC * SRC).fill(0.2), SRC, RANGE, frame({ blur: 10 }));
    expect(new Set(flat).size).toBeLessThanOrEqual(2); // one grey value and alpha 255
  });

  it('three boxes of the chosen widths have the variance of the Gaussian asked for', () => {
    for (let sigma = 1; sigma <= 10; sigma++) {
      const variance = boxWidths(sigma).reduce((v, w) => v + (w * w - 1) / 12, 0);
      expect(Math.abs(Math.sqrt(variance) - sigma)).toBeLessThan(0.25);
    }
  });

  it('a circle is transparent outside, or opaque on a background colour', () => {
    const clear = drawFrame(planes, SRC, RANGE, frame({ shape: 'circle' }));
    expect(px(clear, 64, 0, 0)[3]).toBe(0);
    expect(px(clear, 64, 32, 32)[3]).toBe(255);
    const onBlue = drawFrame(planes, SRC, RANGE, frame({ shape: 'circle', background: [0, 0, 255] }));
    expect(px(onBlue, 64, 0, 0)).toEqual([0, 0, 255, 255]);
    expect(px(onBlue, 64, 32, 32)).toEqual(px(clear, 64, 32, 32));
    expect(isOpaque(frame({ shape: 'circle', background: [0, 0, 255] }))).toBe(true);
    expect(isOpaque(frame({ shape: 'circle' }))).toBe(false);
  });
});

describe('frame parameters', () => {
  const base = { shape: 'square' as const, dpr: 1 };

  it('size × dpr is the same frame as the size it makes, and a plain square keeps the tags /face always had', () => {
    const a = resolveFrame({ ...base, size: 64, dpr: 2 }, 512);
    const b = resolveFrame({ ...base, size: 128 }, 512);
    expect(a).toEqual(b);
    expect(frameTag(b as Frame)).toBe('128-square');
    expect(frameQuery(b as Frame)).toBe('size=128&shape=square');
    expect(resolveFrame({ ...base, width: 128, height: 128, fit: 'contain' }, 512)).toEqual(b);
  });

  it('options that change nothing are dropped, so equivalent URLs share a tag', () => {
    fc.assert(
      fc.property(fc.integer({ min: 16, max: 256 }), fc.constantFrom('ff0000', 'transparent', undefined), (size, background) => {
        const plain = resolveFrame({ ...base, size }, 512) as Frame;
        // nothing to fill in a plain square frame
        expect(frameTag(resolveFrame({ ...base, size, background }, 512) as Frame)).toBe(frameTag(plain));
        // a circle's outside is transparent unless a colour is named
        const circle = resolveFrame({ ...base, size, shape: 'circle', background: background === 'ff0000' ? undefined : background }, 512) as Frame;
        expect(effectsTag(circle)).toBe('');
      }),
    );
  });

  it('refuses what cannot be drawn, naming the parameter', () => {
    expect(resolveFrame({ ...base, size: 64, width: 64 }, 512)).toEqual({ error: expect.stringMatching(/^size:/) });
    expect(resolveFrame({ ...base, size: 300, dpr: 2 }, 512)).toEqual({ error: expect.stringMatching(/^dpr:/) });
    expect(resolveFrame({ ...base, width: 300, height: 200, shape: 'circle' }, 512)).toEqual({ error: expect.stringMatching(/^shape:/) });
  });

  it('one of width and height alone is a square; a colour is read as RGB', () => {
    expect(resolveFrame({ ...base, width: 300 }, 512)).toMatchObject({ width: 300, height: 300 });
    expect(resolveFrame({ ...base, width: 300, height: 200, fit: 'contain', background: '0a0b0c' }, 512)).toMatchObject({ background: [10, 11, 12] });
  });
});

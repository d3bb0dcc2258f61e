import { describe, expect, it } from 'vitest';
import { CROP_GAP, CROP_REGIONS, HALF_GAP, regionCrop, zoomedCrops, zoomFactor, zoomNearest } from '../../eval/crops';
import { crop, stackVertically, type RgbImage } from '../../eval/image';

/** A face whose every pixel is distinct: red = x, green = y, blue = a tag telling faces apart. */
function labelled(size: number, tag: number): RgbImage {
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) data.set([x, y, tag], (y * size + x) * 3);
  return { width: size, height: size, data };
}

const pixel = (image: RgbImage, x: number, y: number) => Array.from(image.data.subarray((y * image.width + x) * 3, (y * image.width + x) * 3 + 3));

/** Pixel-exact equality, compared as bytes: toEqual's element-by-element diff of ~100k values takes seconds under load. */
function expectSameImage(actual: RgbImage, expected: RgbImage): void {
  expect([actual.width, actual.height]).toEqual([expected.width, expected.height]);
  expect(Buffer.from(actual.data).equals(Buffer.from(expected.data))).toBe(true);
}

describe('zoomed crops', () => {
  it('zooms by whole pixels: every source pixel becomes a factor × factor block of itself', () => {
    const face = labelled(8, 0);
    const zoomed = zoomNearest(face, 3);
    expect([zoomed.width, zoomed.height]).toEqual([24, 24]);
    for (let y = 0; y < 24; y++) for (let x = 0; x < 24; x++) expect(pixel(zoomed, x, y)).toEqual(pixel(face, Math.floor(x / 3), Math.floor(y / 3)));
  });

  it('aims at ~512 px faces: x4 at 128, x8 at 64', () => {
    expect([zoomFactor(128), zoomFactor(64), zoomFactor(256)]).toEqual([4, 8, 2]);
  });

  it('crops the template\'s eye band and upper-left hair corner', () => {
    const face = labelled(128, 0);
    const eyes = regionCrop(face, CROP_REGIONS.eyes), hair = regionCrop(face, CROP_REGIONS.hair);
    expect([eyes.width, eyes.height, ...pixel(eyes, 0, 0)]).toEqual([96, 32, 16, 16, 0]);
    expect(pixel(eyes, 95, 31)).toEqual([111, 47, 0]); // the eye centres (y = 36) lie inside
    expect([hair.width, hair.height, ...pixel(hair, 0, 0)]).toEqual([48, 24, 0, 0, 0]); // above the brows
  });

  it('lays generated faces out on the left and real faces on the right, one pair per row, pixel-exact', () => {
    const generated = [labelled(64, 1), labelled(64, 2), labelled(64, 3)], real = [labelled(64, 101), labelled(64, 102)];
    const panel = zoomedCrops(generated, real);
    const factor = 8, eyesW = 48 * factor, hairW = 24 * factor, hairH = 12 * factor, rowH = 16 * factor;
    const halfW = eyesW + CROP_GAP + hairW;
    expect(panel.width).toBe(2 * halfW + HALF_GAP);
    const header = panel.height - (2 * rowH + CROP_GAP); // two rows: as many as the shorter list
    expect(header).toBeGreaterThan(0);
    for (const [row, half, tag] of [[0, 0, 1], [1, 0, 2], [0, 1, 101], [1, 1, 102]]) {
      const top = header + row * (rowH + CROP_GAP), left = half * (halfW + HALF_GAP);
      const face = [...generated, ...real].find((f) => f.data[2] === tag) as RgbImage;
      expectSameImage(crop(panel, left, top, eyesW, rowH), zoomNearest(regionCrop(face, CROP_REGIONS.eyes), factor));
      expectSameImage(crop(panel, left + eyesW + CROP_GAP, top, hairW, hairH), zoomNearest(regionCrop(face, CROP_REGIONS.hair), factor));
    }
  });

  it('refuses faces of mixed sizes, and no faces', () => {
    expect(() => zoomedCrops([labelled(64, 0)], [labelled(128, 0)])).toThrow(/different sizes/);
    expect(() => zoomedCrops([], [labelled(64, 0)])).toThrow(/no faces/);
  });

  it('stacks the sheet and the crops top to bottom', () => {
    const stacked = stackVertically([labelled(8, 1), labelled(4, 2)], 2);
    expect([stacked.width, stacked.height]).toEqual([8, 14]);
    expect(pixel(stacked, 3, 11)).toEqual([3, 1, 2]);
    expect(pixel(stacked, 6, 11)).toEqual([255, 255, 255]);
  });
});

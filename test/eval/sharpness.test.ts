import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeRgbPng } from '../../eval/image-codec';
import { resizeSquare, type RgbImage } from '../../eval/image';
import { realSpectra, sharpnessFigures } from '../../eval/sharpness';
import { OctaveSpectrum } from '../../eval/spectrum';
import { astronautFace } from './fixtures';

/** A 3×3 box blur (edges clamped). */
function blur(image: RgbImage): RgbImage {
  const n = image.width, data = new Uint8Array(image.data.length);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) sum += image.data[(Math.min(n - 1, Math.max(0, y + dy)) * n + Math.min(n - 1, Math.max(0, x + dx))) * 3 + c];
        data[(y * n + x) * 3 + c] = Math.round(sum / 9);
      }
    }
  }
  return { width: n, height: n, data };
}

/** Six 64 px astronaut crops, written as PNGs to a folder the evaluation reads as a real set. */
function realFolder(): { dir: string; faces: RgbImage[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'eval-sharpness-'));
  const faces = [-15, -9, -3, 3, 9, 15].map((shift) => astronautFace(64, shift));
  faces.forEach((face, i) => writeFileSync(path.join(dir, `${i}.png`), encodeRgbPng(face)));
  return { dir, faces };
}

function spectrumOf(images: readonly RgbImage[]): OctaveSpectrum {
  const spectrum = new OctaveSpectrum(images[0].width);
  for (const image of images) spectrum.add(image);
  return spectrum;
}

describe('sharpness: generated vs real spectrum at the served size', () => {
  it('reads 1 in every octave when the "generated" faces are the real ones, and keeps the first faces for the crops', async () => {
    const { dir, faces } = realFolder();
    const real = await realSpectra([dir], 6, 64, 64, 2);
    expect(real.faces).toEqual(faces.slice(0, 2));
    expect(real.throughNative).toBeNull(); // a model of the served size has no "through native" reference
    const figures = sharpnessFigures(spectrumOf(faces), real, 64);
    expect(figures.octaves.map((o) => o.band)).toEqual(['1/32–1/16', '1/16–1/8', '1/8–1/4', '1/4–1/2']);
    for (const octave of figures.octaves) expect(octave.ratio).toBeCloseTo(1, 10);
    expect(figures).toMatchObject({ size: 64, nativeSize: 64, generated: 6, real: 6 });
  });

  it('reads below 1 in the top octaves for blurred copies, lowest at the top', async () => {
    const { dir, faces } = realFolder();
    const figures = sharpnessFigures(spectrumOf(faces.map(blur)), await realSpectra([dir], 6, 64, 64, 0), 64);
    const [, , high, top] = figures.octaves.map((o) => o.ratio);
    expect(top).toBeLessThan(0.2);
    expect(high).toBeLessThan(0.8);
    expect(top).toBeLessThan(high);
    expect(figures.octaves[0].ratio).toBeGreaterThan(0.8);
    expect(figures.maxRatio).toBe(Math.max(...figures.octaves.map((o) => o.ratio)));
  });

  it('uses only the first n real faces, and measures real faces through a smaller native size as a reference', async () => {
    const { dir, faces } = realFolder();
    const real = await realSpectra([dir], 4, 64, 32, 0);
    expect(real.direct.images).toBe(4);
    // faces served from a perfect 32 px model: the real faces down to 32 px and back up
    const perfect32 = faces.slice(0, 4).map((face) => resizeSquare(resizeSquare(face, 32), 64));
    const figures = sharpnessFigures(spectrumOf(perfect32), real, 32);
    for (const octave of figures.octaves) expect(octave.throughNativeRatio).toBeCloseTo(octave.ratio, 10);
    expect(figures.octaves.at(-1)!.throughNativeRatio).toBeLessThan(0.5);
  });
});

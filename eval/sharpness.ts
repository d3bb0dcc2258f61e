/**
 * The evaluation's sharpness section: the power spectrum of generated faces over that of held-out real faces per
 * octave of spatial frequency (eval/spectrum.ts), both at the size the faces are served at.
 *
 * Generated faces are rendered at that size by the service's renderer straight from the decoder's float output, as
 * the service serves them. Real faces are the first n images of the real set, each brought to that size by
 * {@link realFace}, the path their face analysis takes too: the shared set's 128 px JPEGs are used as decoded at
 * 128 and area-averaged at 64. When the model's native size is smaller than the served size, a third set, the real
 * faces brought down to the native size and back up, shows what a perfect model of that native size would read.
 */
import { realFace } from './analyse';
import { resizeSquare, type RgbImage } from './image';
import { readRealImages } from './realset';
import { bandLabel, bandRatios, OctaveSpectrum } from './spectrum';

/** One octave of the comparison. */
export interface SpectrumOctave {
  /** Like "1/8–1/4" (cycles per pixel). */
  band: string;
  low: number;
  high: number;
  /** Generated power over real power: 1 = as much detail as the photos; above 1, noise or artefacts. */
  ratio: number;
  /** Real faces through the model's native size over real faces; null when the model is not smaller than `size`. */
  throughNativeRatio: number | null;
}

/** The sharpness figures of one run. */
export interface SharpnessFigures {
  /** Side, in pixels, at which generated and real faces were compared. */
  size: number;
  nativeSize: number;
  generated: number;
  real: number;
  octaves: SpectrumOctave[];
  /** The largest ratio of any octave. */
  maxRatio: number;
}

/**
 * Issue 17's bar at 128 px: minimum ratios in the two highest octaves, and no octave above `maxRatio` (noise is
 * not detail).
 */
export const SHARPNESS_BAR = { minRatios: { '1/8–1/4': 0.6, '1/4–1/2': 0.25 } as Record<string, number>, maxRatio: 1.3 };

/** The real side of the comparison: spectra of the first n real faces at `size`, and the first `keep` of them. */
export async function realSpectra(
  sources: readonly string[],
  n: number,
  size: number,
  nativeSize: number,
  keep: number,
): Promise<{ direct: OctaveSpectrum; throughNative: OctaveSpectrum | null; faces: RgbImage[] }> {
  const direct = new OctaveSpectrum(size);
  const throughNative = nativeSize < size ? new OctaveSpectrum(size) : null;
  const faces: RgbImage[] = [];
  let count = 0;
  for await (const real of readRealImages(sources)) {
    if (count++ >= n) break;
    const face = realFace(real.bytes, size);
    direct.add(face);
    throughNative?.add(resizeSquare(resizeSquare(face, nativeSize), size));
    if (faces.length < keep) faces.push(face);
  }
  return { direct, throughNative, faces };
}

/** The figures from the generated faces' spectrum and the real side's. */
export function sharpnessFigures(generated: OctaveSpectrum, real: { direct: OctaveSpectrum; throughNative: OctaveSpectrum | null }, nativeSize: number): SharpnessFigures {
  const realBands = real.direct.bands();
  const ratios = bandRatios(generated.bands(), realBands);
  const reference = real.throughNative ? bandRatios(real.throughNative.bands(), realBands) : null;
  const octaves = ratios.map((band, i) => ({ band: bandLabel(band), low: band.low, high: band.high, ratio: band.power, throughNativeRatio: reference ? reference[i].power : null }));
  return {
    size: generated.size,
    nativeSize,
    generated: generated.images,
    real: real.direct.images,
    octaves,
    maxRatio: Math.max(...octaves.map((o) => o.ratio)),
  };
}

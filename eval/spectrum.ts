/**
 * Sharpness as a spectrum: the radially averaged power spectrum of a set of faces, summed per octave of spatial
 * frequency, and the ratio of a generated set's to a real set's at the same size.
 *
 * A blurred face keeps its low octaves and loses the high ones (a Gaussian blur of σ = 1 px leaves ~0.3 of the power
 * in 1/8–1/4 cycles/px and ~0.03 in 1/4–1/2); noise passed off as detail shows up as a ratio above 1. Each face is
 * turned to luma, its mean removed and a 2-D Hann window applied (so the frame's edges add no power of their own),
 * then Fourier-transformed; power is averaged over the faces.
 */
import FFT from 'fft.js';
import type { RgbImage } from './image';

/** One octave band [low, high) in cycles per pixel and the mean power of the faces in it. */
export interface OctaveBand {
  low: number;
  high: number;
  power: number;
}

/** Octaves from 1/64 cycles/px up to the Nyquist frequency 1/2 (fewer for images under 128 px). */
function octaves(size: number): [number, number][] {
  const bands: [number, number][] = [];
  for (let high = 0.5; high / 2 >= Math.max(1 / 64, 2 / size); high /= 2) bands.unshift([high / 2, high]);
  return bands;
}

/** Mean power per octave band of square, power-of-two-sized faces (all of one size). */
export function octavePowers(images: readonly RgbImage[]): OctaveBand[] {
  if (images.length === 0) throw new Error('octavePowers: no images');
  const size = images[0].width;
  if (size < 8 || (size & (size - 1)) !== 0) throw new Error(`octavePowers: size ${size} is not a power of two ≥ 8`);
  const fft = new FFT(size);
  const hann = Float64Array.from({ length: size }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / size));
  const bands = octaves(size).map(([low, high]) => ({ low, high, power: 0 }));
  // which band each frequency (fx, fy) falls in; corners past the Nyquist radius fall in none
  const bandOf = new Int8Array(size * size).fill(-1);
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      const fx = (u < size / 2 ? u : u - size) / size, fy = (v < size / 2 ? v : v - size) / size;
      const f = Math.hypot(fx, fy);
      bandOf[v * size + u] = bands.findIndex((b) => f >= b.low && (f < b.high || (b.high === 0.5 && f <= 0.5)));
    }
  }
  const rows = Array.from({ length: size }, () => fft.createComplexArray() as number[]);
  const column = fft.createComplexArray() as number[], spectrum = fft.createComplexArray() as number[];
  const line = new Array<number>(size);
  for (const image of images) {
    if (image.width !== size || image.height !== size) throw new Error('octavePowers: faces of different sizes');
    let mean = 0;
    const luma = new Float64Array(size * size);
    for (let i = 0; i < luma.length; i++) {
      const p = i * 3;
      luma[i] = (0.299 * image.data[p] + 0.587 * image.data[p + 1] + 0.114 * image.data[p + 2]) / 255;
      mean += luma[i] / luma.length;
    }
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) line[x] = (luma[y * size + x] - mean) * hann[x] * hann[y];
      fft.realTransform(rows[y], line);
      fft.completeSpectrum(rows[y]);
    }
    for (let u = 0; u < size; u++) {
      for (let y = 0; y < size; y++) {
        column[2 * y] = rows[y][2 * u];
        column[2 * y + 1] = rows[y][2 * u + 1];
      }
      fft.transform(spectrum, column);
      for (let v = 0; v < size; v++) {
        const band = bandOf[v * size + u];
        if (band >= 0) bands[band].power += (spectrum[2 * v] ** 2 + spectrum[2 * v + 1] ** 2) / images.length;
      }
    }
  }
  return bands;
}

/** Generated over real power per octave band (both sets at one size): 1 means as much detail as the photos. */
export function spectrumRatios(generated: readonly RgbImage[], real: readonly RgbImage[]): OctaveBand[] {
  const gen = octavePowers(generated), ref = octavePowers(real);
  if (gen.length !== ref.length) throw new Error('spectrumRatios: the two sets have different sizes');
  return gen.map((band, i) => ({ ...band, power: band.power / ref[i].power }));
}

/** A band's label, like "1/8–1/4". */
export function bandLabel(band: Pick<OctaveBand, 'low' | 'high'>): string {
  return `1/${Math.round(1 / band.low)}–1/${Math.round(1 / band.high)}`;
}

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

/**
 * Power per octave band accumulated one face at a time, so a thousand faces need not be held in memory at once.
 * Faces must be square, of one power-of-two size ≥ 8.
 */
export class OctaveSpectrum {
  readonly size: number;
  private readonly fft: FFT;
  private readonly hann: Float64Array;
  /** Which band each frequency (fx, fy) falls in; corners past the Nyquist radius fall in none (-1). */
  private readonly bandOf: Int8Array;
  private readonly sums: OctaveBand[];
  private readonly rows: number[][];
  private count = 0;

  /** Faces added so far. */
  get images(): number {
    return this.count;
  }

  constructor(size: number) {
    if (size < 8 || (size & (size - 1)) !== 0) throw new Error(`octavePowers: size ${size} is not a power of two ≥ 8`);
    this.size = size;
    this.fft = new FFT(size);
    this.hann = Float64Array.from({ length: size }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / size));
    this.sums = octaves(size).map(([low, high]) => ({ low, high, power: 0 }));
    this.bandOf = new Int8Array(size * size).fill(-1);
    for (let v = 0; v < size; v++) {
      for (let u = 0; u < size; u++) {
        const fx = (u < size / 2 ? u : u - size) / size, fy = (v < size / 2 ? v : v - size) / size;
        const f = Math.hypot(fx, fy);
        this.bandOf[v * size + u] = this.sums.findIndex((b) => f >= b.low && (f < b.high || (b.high === 0.5 && f <= 0.5)));
      }
    }
    this.rows = Array.from({ length: size }, () => this.fft.createComplexArray() as number[]);
  }

  /** Adds one face's power to its bands. */
  add(image: RgbImage): void {
    const { size, fft, hann, bandOf, rows } = this;
    if (image.width !== size || image.height !== size) throw new Error('octavePowers: faces of different sizes');
    const column = fft.createComplexArray() as number[], spectrum = fft.createComplexArray() as number[];
    const line = new Array<number>(size);
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
        if (band >= 0) this.sums[band].power += spectrum[2 * v] ** 2 + spectrum[2 * v + 1] ** 2;
      }
    }
    this.count++;
  }

  /** Mean power per band of the faces added so far. */
  bands(): OctaveBand[] {
    if (this.count === 0) throw new Error('octavePowers: no images');
    return this.sums.map((band) => ({ ...band, power: band.power / this.count }));
  }
}

/** Mean power per octave band of square, power-of-two-sized faces (all of one size). */
export function octavePowers(images: readonly RgbImage[]): OctaveBand[] {
  if (images.length === 0) throw new Error('octavePowers: no images');
  const spectrum = new OctaveSpectrum(images[0].width);
  for (const image of images) spectrum.add(image);
  return spectrum.bands();
}

/** Generated over real power per octave band (both sets at one size): 1 means as much detail as the photos. */
export function spectrumRatios(generated: readonly RgbImage[], real: readonly RgbImage[]): OctaveBand[] {
  return bandRatios(octavePowers(generated), octavePowers(real));
}

/** Band-by-band ratio of two spectra of one size. */
export function bandRatios(generated: readonly OctaveBand[], real: readonly OctaveBand[]): OctaveBand[] {
  if (generated.length !== real.length) throw new Error('spectrumRatios: the two sets have different sizes');
  return generated.map((band, i) => ({ ...band, power: band.power / real[i].power }));
}

/** A band's label, like "1/8–1/4". */
export function bandLabel(band: Pick<OctaveBand, 'low' | 'high'>): string {
  return `1/${Math.round(1 / band.low)}–1/${Math.round(1 / band.high)}`;
}

/** 8-bit RGB rasters and the few operations the evaluation needs (crop, pad, resize). */

/** Interleaved 8-bit RGB pixels, row-major, no padding between rows. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A new image filled with one colour. */
export function solidImage(width: number, height: number, rgb: readonly [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set(rgb, i);
  return { width, height, data };
}

/** Copies `source` into `target` with its top-left corner at (x, y); the source must fit. */
export function blit(target: RgbImage, source: RgbImage, x: number, y: number): void {
  for (let row = 0; row < source.height; row++) {
    const from = row * source.width * 3;
    target.data.set(source.data.subarray(from, from + source.width * 3), ((y + row) * target.width + x) * 3);
  }
}

/** The `width`×`height` region of `image` whose top-left corner is (x, y). */
export function crop(image: RgbImage, x: number, y: number, width: number, height: number): RgbImage {
  if (x < 0 || y < 0 || x + width > image.width || y + height > image.height) throw new Error('crop: region outside the image');
  const data = new Uint8Array(width * height * 3);
  for (let row = 0; row < height; row++) {
    const from = ((y + row) * image.width + x) * 3;
    data.set(image.data.subarray(from, from + width * 3), row * width * 3);
  }
  return { width, height, data };
}

/** `image` surrounded by a border of `border` pixels of one colour. */
export function pad(image: RgbImage, border: number, rgb: readonly [number, number, number]): RgbImage {
  const out = solidImage(image.width + 2 * border, image.height + 2 * border, rgb);
  blit(out, image, border, border);
  return out;
}

/**
 * One axis of an area-average resampling: for each output pixel, the weights of the input pixels its footprint
 * covers. Exact box filtering for any shrink factor (a 2x shrink averages 2x2 blocks), so downsampled real
 * faces are not aliased.
 */
function areaWeights(inSize: number, outSize: number): { first: number; weights: number[] }[] {
  const scale = inSize / outSize;
  return Array.from({ length: outSize }, (_, o) => {
    const start = o * scale, end = start + scale;
    const first = Math.floor(start);
    const weights: number[] = [];
    for (let i = first; i < Math.min(Math.ceil(end), inSize); i++) weights.push((Math.min(end, i + 1) - Math.max(start, i)) / scale);
    return { first, weights };
  });
}

/** One axis of bilinear interpolation with pixel centres at i + 0.5 and clamped edges. */
function bilinearWeights(inSize: number, outSize: number): { first: number; weights: number[] }[] {
  const scale = inSize / outSize;
  return Array.from({ length: outSize }, (_, o) => {
    const position = Math.min(Math.max((o + 0.5) * scale - 0.5, 0), inSize - 1);
    const first = Math.min(Math.floor(position), inSize - 2);
    if (first < 0) return { first: 0, weights: [1] };
    const t = position - first;
    return { first, weights: [1 - t, t] };
  });
}

/** Resizes with an area average when shrinking and bilinear interpolation when enlarging, axis by axis. */
export function resize(image: RgbImage, width: number, height: number): RgbImage {
  if (width === image.width && height === image.height) return image;
  const xs = width <= image.width ? areaWeights(image.width, width) : bilinearWeights(image.width, width);
  const ys = height <= image.height ? areaWeights(image.height, height) : bilinearWeights(image.height, height);
  const rows = new Float64Array(image.height * width * 3); // horizontal pass
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < width; x++) {
      const { first, weights } = xs[x];
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let k = 0; k < weights.length; k++) sum += weights[k] * image.data[(y * image.width + first + k) * 3 + c];
        rows[(y * width + x) * 3 + c] = sum;
      }
    }
  }
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const { first, weights } = ys[y];
    for (let i = 0; i < width * 3; i++) {
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k] * rows[(first + k) * width * 3 + i];
      data[y * width * 3 + i] = Math.min(255, Math.max(0, Math.round(sum)));
    }
  }
  return { width, height, data };
}

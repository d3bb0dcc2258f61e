/** 8-bit RGB rasters and the few operations the evaluation needs (crop, pad, resize, decoder output to pixels). */
import { planesToRgba } from '../src/runtime/image';

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

/** RGB bytes from RGBA bytes (alpha dropped). */
function rgbaToRgb(rgba: Uint8Array, width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(rgba.subarray(i * 4, i * 4 + 3), i * 3);
  return { width, height, data };
}

/**
 * Decoder output (3 float planes of `srcSize`², values in `valueRange`) as an RGB image of `size`², through the
 * service's own renderer, so the evaluation scores exactly the pixels the service serves.
 */
export function planesToImage(planes: Float32Array, srcSize: number, size: number, valueRange: readonly [number, number]): RgbImage {
  return rgbaToRgb(planesToRgba(planes, srcSize, { size, valueRange }), size, size);
}

/**
 * A square image resized to `size`² with the service's resampler (area average when shrinking, bicubic when
 * enlarging), so real faces are brought to a model's resolution the same way its own output would be.
 */
export function resizeSquare(image: RgbImage, size: number): RgbImage {
  if (image.width !== image.height) throw new Error('resizeSquare: image is not square');
  if (image.width === size) return image;
  const n = image.width * image.height;
  const planes = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) planes[c * n + i] = image.data[i * 3 + c];
  return planesToImage(planes, image.width, size, [0, 255]);
}

/** The largest centred square of an image. */
export function centreSquare(image: RgbImage): RgbImage {
  const side = Math.min(image.width, image.height);
  return crop(image, (image.width - side) >> 1, (image.height - side) >> 1, side, side);
}

/** Images stacked top to bottom, left-aligned, `gap` pixels apart, on a white background. */
export function stackVertically(images: readonly RgbImage[], gap: number): RgbImage {
  const width = Math.max(...images.map((image) => image.width));
  const height = images.reduce((sum, image) => sum + image.height, gap * (images.length - 1));
  const out = solidImage(width, height, [255, 255, 255]);
  let y = 0;
  for (const image of images) {
    blit(out, image, 0, y);
    y += image.height + gap;
  }
  return out;
}

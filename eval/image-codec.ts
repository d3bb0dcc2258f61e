/** Decoding JPEG/PNG bytes to RGB and encoding RGB to PNG, with small pure-JS codecs (jpeg-js, fast-png). */
import jpeg from 'jpeg-js';
import { convertIndexedToRgb, decode as decodePngBytes, encode as encodePngBytes, hasPngSignature } from 'fast-png';
import type { RgbImage } from './image';

/** Drops the alpha channel (or expands grey) of `channels`-per-pixel 8-bit data. */
function toRgb(width: number, height: number, pixels: ArrayLike<number>, channels: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) data[i * 3 + c] = pixels[i * channels + (channels >= 3 ? c : 0)];
  }
  return { width, height, data };
}

/** Decodes a JPEG or an 8/16-bit or palette PNG to RGB. */
export function decodeImage(bytes: Uint8Array): RgbImage {
  if (hasPngSignature(bytes)) {
    const png = decodePngBytes(bytes);
    if (png.palette) {
      // Palette entries are RGB or RGBA; the converted data has as many channels as the entries.
      return toRgb(png.width, png.height, convertIndexedToRgb(png), png.palette[0].length);
    }
    const pixels = png.depth === 16 ? Uint8Array.from(png.data as Uint16Array, (v) => v >> 8) : png.data;
    return toRgb(png.width, png.height, pixels, png.channels);
  }
  const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
  return toRgb(image.width, image.height, image.data, 4);
}

/** Encodes an RGB image as an 8-bit PNG. */
export function encodeRgbPng(image: RgbImage): Uint8Array {
  return encodePngBytes({ width: image.width, height: image.height, data: image.data, channels: 3, depth: 8 });
}

/**
 * PNG and APNG encoder for 8-bit RGB(A). Every row uses the Paeth filter and the Huffman-only deflater in ./deflate.
 * Measured on 16 real faces at 64 px upscaled to 128 px (the decoder's case), Huffman-only output in bytes per
 * filter: none 54.1k, sub 33.8k, up 33.1k, average 31.3k, Paeth 26.7k (zlib level 6 with Paeth: 25.2k, level 1: 28.2k).
 * So one fixed filter, Paeth, without per-row trial of all five (what makes upng-js slow).
 */
import { zlibHuffmanOnly } from './deflate';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PAETH = 4;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(data: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * Paeth-filtered scanlines (filter byte + row) of the first `channels` bytes of each RGBA pixel, in one per-isolate
 * buffer that is valid until the next call: callers consume it synchronously. Exported for bench/edge-worker.ts.
 */
let filtered = new Uint8Array(0);
export function paethFilter(rgba: Uint8Array, width: number, height: number, channels: 3 | 4): Uint8Array {
  const inStride = width * 4;
  const size = (width * channels + 1) * height;
  if (filtered.length < size) filtered = new Uint8Array(size);
  const out = filtered;
  // Neighbours outside the image count as 0 (PNG's rule), which Paeth turns into Sub on the first row and Up on the
  // first column.
  const outStride = width * channels + 1;
  for (let y = 0; y < height; y++) {
    const row = y * inStride, up = row - inStride, line = y * outStride;
    out[line] = PAETH;
    for (let ch = 0; ch < channels; ch++) {
      // Walk one channel along the row, carrying left (a) and upper-left (c) so each step loads two bytes.
      let a = rgba[row + ch], c = y > 0 ? rgba[up + ch] : 0;
      out[line + 1 + ch] = (a - c) & 0xff;
      for (let x = 1, i = row + 4 + ch, o = line + 1 + channels + ch; x < width; x++, i += 4, o += channels) {
        const b = y > 0 ? rgba[i - inStride] : 0, cur = rgba[i];
        out[o] = (cur - paeth(a, b, c)) & 0xff;
        a = cur;
        c = b;
      }
    }
  }
  return out.subarray(0, size);
}

/**
 * The PNG Paeth predictor of a pixel from left `a`, up `b` and upper-left `c`, written with sign masks instead of
 * branches: on image data the comparisons are unpredictable, and mispredictions cost more than the arithmetic.
 */
function paeth(a: number, b: number, c: number): number {
  const da = b - c, db = a - c, dc = da + db; // p - a, p - b, p - c with p = a + b - c
  const pa = (da ^ (da >> 31)) - (da >> 31), pb = (db ^ (db >> 31)) - (db >> 31), pc = (dc ^ (dc >> 31)) - (dc >> 31);
  const useA = ~(((pb - pa) | (pc - pa)) >> 31); // -1 when pa <= pb and pa <= pc
  const useB = ~((pc - pb) >> 31); // -1 when pb <= pc
  return (a & useA) | (~useA & ((b & useB) | (c & ~useB)));
}

/** Assembles chunks `[type, data]` into one PNG file. */
function assemble(chunks: Array<[string, Uint8Array]>): Uint8Array {
  let total = SIGNATURE.length;
  for (const [, data] of chunks) total += 12 + data.length;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(SIGNATURE);
  let pos = SIGNATURE.length;
  for (const [type, data] of chunks) {
    view.setUint32(pos, data.length);
    for (let i = 0; i < 4; i++) out[pos + 4 + i] = type.charCodeAt(i);
    out.set(data, pos + 8);
    view.setUint32(pos + 8 + data.length, crc32(out, pos + 4, pos + 8 + data.length));
    pos += 12 + data.length;
  }
  return out;
}

/** Big-endian fields of a chunk body: [value, bytes] pairs. */
function fields(...items: Array<[number, 1 | 2 | 4]>): Uint8Array {
  const out = new Uint8Array(items.reduce((n, [, b]) => n + b, 0));
  const view = new DataView(out.buffer);
  let pos = 0;
  for (const [value, bytes] of items) {
    if (bytes === 4) view.setUint32(pos, value);
    else if (bytes === 2) view.setUint16(pos, value);
    else view.setUint8(pos, value);
    pos += bytes;
  }
  return out;
}

function ihdr(width: number, height: number, channels: 3 | 4): [string, Uint8Array] {
  // 8-bit depth, colour type 2 (RGB) or 6 (RGBA), deflate, adaptive filtering, no interlace.
  return ['IHDR', fields([width, 4], [height, 4], [8, 1], [channels === 4 ? 6 : 2, 1], [0, 1], [0, 1], [0, 1])];
}

/**
 * Encodes an RGBA image (`width * height * 4` bytes, row-major) as PNG. With `opaque` (every alpha is 255) the file
 * is RGB: a quarter fewer bytes to filter and code, and a smaller file.
 */
export function encodePng(rgba: Uint8Array, width: number, height: number, opaque: boolean): Uint8Array {
  const channels = opaque ? 3 : 4;
  return assemble([
    ihdr(width, height, channels),
    ['IDAT', zlibHuffmanOnly(paethFilter(rgba, width, height, channels))],
    ['IEND', new Uint8Array(0)],
  ]);
}

/**
 * Encodes RGBA frames of equal size as an endlessly looping APNG (RGB when `opaque`); each frame shows for `delayMs`.
 * Every frame replaces the whole canvas, so viewers without APNG support show the first frame. A frame array that
 * appears several times is compressed once.
 */
export function encodeApng(frames: Uint8Array[], width: number, height: number, delayMs: number, opaque: boolean): Uint8Array {
  const channels = opaque ? 3 : 4;
  const chunks: Array<[string, Uint8Array]> = [ihdr(width, height, channels), ['acTL', fields([frames.length, 4], [0, 4])]];
  const compressed = new Map<Uint8Array, Uint8Array>();
  let sequence = 0;
  frames.forEach((rgba, i) => {
    // fcTL: sequence, size, offset (0, 0), delay = delayMs/1000 s, dispose none, blend source.
    chunks.push(['fcTL', fields([sequence++, 4], [width, 4], [height, 4], [0, 4], [0, 4], [delayMs, 2], [1000, 2], [0, 1], [0, 1])]);
    let data = compressed.get(rgba);
    if (!data) compressed.set(rgba, (data = zlibHuffmanOnly(paethFilter(rgba, width, height, channels))));
    if (i === 0) {
      chunks.push(['IDAT', data]);
    } else {
      const fdat = new Uint8Array(4 + data.length);
      new DataView(fdat.buffer).setUint32(0, sequence++);
      fdat.set(data, 4);
      chunks.push(['fdAT', fdat]);
    }
  });
  chunks.push(['IEND', new Uint8Array(0)]);
  return assemble(chunks);
}

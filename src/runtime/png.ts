/**
 * PNG and APNG encoder for 8-bit RGBA. Rows use the Paeth filter (the smallest output on generated faces among the
 * single filters, measured by bench/edge-png.ts) and the pixels go through the Huffman-only deflater in ./deflate.
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

/** Paeth-filtered scanlines (filter byte + row), reusing one per-isolate buffer: callers consume it synchronously. */
let filtered = new Uint8Array(0);
function paethFilter(rgba: Uint8Array, width: number, height: number): Uint8Array {
  const stride = width * 4;
  const size = (stride + 1) * height;
  if (filtered.length < size) filtered = new Uint8Array(size);
  const out = filtered;
  // The first row and first pixel of each row predict from zeros; splitting them out keeps the inner loop branch-light.
  for (let y = 0, o = 0; y < height; y++) {
    const row = y * stride;
    out[o++] = PAETH;
    if (y === 0) {
      for (let x = 0; x < 4; x++) out[o++] = rgba[x];
      for (let x = 4; x < stride; x++) out[o++] = (rgba[x] - rgba[x - 4]) & 0xff;
      continue;
    }
    const up = row - stride;
    for (let x = 0; x < 4; x++) out[o++] = (rgba[row + x] - rgba[up + x]) & 0xff;
    for (let x = 4; x < stride; x++) {
      const a = rgba[row + x - 4], b = rgba[up + x], c = rgba[up + x - 4];
      const pa = b > c ? b - c : c - b; // |p - a| with p = a + b - c
      const pb = a > c ? a - c : c - a;
      const pc = a + b - c - c > 0 ? a + b - c - c : c + c - a - b;
      out[o++] = (rgba[row + x] - (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff;
    }
  }
  return out.subarray(0, size);
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

function ihdr(width: number, height: number): [string, Uint8Array] {
  // 8-bit depth, colour type 6 (RGBA), deflate, adaptive filtering, no interlace.
  return ['IHDR', fields([width, 4], [height, 4], [8, 1], [6, 1], [0, 1], [0, 1], [0, 1])];
}

/** Encodes an RGBA image (`width * height * 4` bytes, row-major) as PNG. */
export function encodePng(rgba: Uint8Array, width: number, height: number): Uint8Array {
  return assemble([
    ihdr(width, height),
    ['IDAT', zlibHuffmanOnly(paethFilter(rgba, width, height))],
    ['IEND', new Uint8Array(0)],
  ]);
}

/**
 * Encodes RGBA frames of equal size as an endlessly looping APNG; each frame shows for `delayMs`.
 * Every frame replaces the whole canvas, so viewers without APNG support show the first frame. A frame array that
 * appears several times is compressed once.
 */
export function encodeApng(frames: Uint8Array[], width: number, height: number, delayMs: number): Uint8Array {
  const chunks: Array<[string, Uint8Array]> = [ihdr(width, height), ['acTL', fields([frames.length, 4], [0, 4])]];
  const compressed = new Map<Uint8Array, Uint8Array>();
  let sequence = 0;
  frames.forEach((rgba, i) => {
    // fcTL: sequence, size, offset (0, 0), delay = delayMs/1000 s, dispose none, blend source.
    chunks.push(['fcTL', fields([sequence++, 4], [width, 4], [height, 4], [0, 4], [0, 4], [delayMs, 2], [1000, 2], [0, 1], [0, 1])]);
    let data = compressed.get(rgba);
    if (!data) compressed.set(rgba, (data = zlibHuffmanOnly(paethFilter(rgba, width, height))));
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

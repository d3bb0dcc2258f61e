/**
 * A strict PNG/APNG reader for the tests and bench/browser.ts: checks the signature and every chunk CRC, inflates with Node's zlib (an
 * independent inflater), undoes all five filter types, and returns RGBA frames (alpha 255 for RGB files).
 */
import { inflateSync, crc32 } from 'node:zlib';

export interface DecodedPng {
  width: number;
  height: number;
  /** 2 (RGB) or 6 (RGBA). */
  colorType: number;
  /** RGBA frames; a plain PNG has one. */
  frames: Uint8Array[];
  chunkTypes: string[];
  /** APNG frame delays in ms (empty for a plain PNG). */
  delaysMs: number[];
  numPlays?: number;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function unfilter(raw: Buffer, width: number, height: number, bpp: number): Uint8Array {
  const stride = width * bpp;
  if (raw.length !== (stride + 1) * height) throw new Error(`inflated ${raw.length} bytes, want ${(stride + 1) * height}`);
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const type = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= bpp ? out[y * stride + x - bpp] : 0;
      const b = y > 0 ? out[(y - 1) * stride + x] : 0;
      const c = x >= bpp && y > 0 ? out[(y - 1) * stride + x - bpp] : 0;
      let pred: number;
      switch (type) {
        case 0: pred = 0; break;
        case 1: pred = a; break;
        case 2: pred = b; break;
        case 3: pred = (a + b) >> 1; break;
        case 4: {
          const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
          pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: throw new Error(`bad filter type ${type}`);
      }
      out[y * stride + x] = (v + pred) & 0xff;
    }
  }
  if (bpp === 4) return out;
  const rgba = new Uint8Array(width * height * 4).fill(255);
  for (let i = 0; i < width * height; i++) rgba.set(out.subarray(i * 3, i * 3 + 3), i * 4);
  return rgba;
}

/** Decodes `bytes`, throwing on any structural error. */
export function decodePng(bytes: Uint8Array): DecodedPng {
  const buf = Buffer.from(bytes);
  if (!buf.subarray(0, 8).equals(SIGNATURE)) throw new Error('bad PNG signature');
  let pos = 8, width = 0, height = 0, colorType = 0;
  const chunkTypes: string[] = [], delaysMs: number[] = [];
  const frameData: Buffer[][] = [];
  let numPlays: number | undefined, sequence = 0;
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (crc32(buf.subarray(pos + 4, pos + 8 + len)) !== buf.readUInt32BE(pos + 8 + len)) throw new Error(`bad CRC in ${type}`);
    chunkTypes.push(type);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      colorType = data[9];
      if (data[8] !== 8 || (colorType !== 2 && colorType !== 6) || data[12] !== 0) throw new Error('expected 8-bit RGB(A), not interlaced');
    } else if (type === 'acTL') {
      numPlays = data.readUInt32BE(4);
    } else if (type === 'fcTL') {
      if (data.readUInt32BE(0) !== sequence++) throw new Error('fcTL out of sequence');
      delaysMs.push((data.readUInt16BE(20) / (data.readUInt16BE(22) || 100)) * 1000);
      frameData.push([]);
    } else if (type === 'IDAT') {
      if (frameData.length === 0) frameData.push([]);
      frameData[frameData.length - 1].push(data);
    } else if (type === 'fdAT') {
      if (data.readUInt32BE(0) !== sequence++) throw new Error('fdAT out of sequence');
      frameData[frameData.length - 1].push(data.subarray(4));
    }
    pos += 12 + len;
    if (type === 'IEND') break;
  }
  if (pos !== buf.length) throw new Error('bytes after IEND');
  if (chunkTypes[0] !== 'IHDR' || chunkTypes[chunkTypes.length - 1] !== 'IEND') throw new Error('bad chunk order');
  const frames = frameData.map((parts) => unfilter(inflateSync(Buffer.concat(parts)), width, height, colorType === 6 ? 4 : 3));
  return { width, height, colorType, frames, chunkTypes, delaysMs, numPlays };
}

/** Frame `index` of a horizontal strip of `frames` square RGBA frames of `size` px (an `/interpolate` strip). */
export function stripFrame(rgba: Uint8Array, size: number, frames: number, index: number): Uint8Array {
  const out = new Uint8Array(size * size * 4), row = size * 4;
  for (let y = 0; y < size; y++) out.set(rgba.subarray((y * frames + index) * row, (y * frames + index + 1) * row), y * row);
  return out;
}

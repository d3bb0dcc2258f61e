/**
 * Container-level readers for the lossy formats, independent of the codecs under test: the size and layout a WebP
 * (RIFF) or JPEG (marker segments) file declares. The pixels themselves are checked with libwebp's and mozjpeg's
 * decoders (scripts/lib/node-codecs.ts).
 */

/** What a WebP file declares: its canvas, its chunks in order, whether it carries alpha or animation. */
export interface WebpInfo {
  width: number;
  height: number;
  chunks: string[];
  alpha: boolean;
  animated: boolean;
}

const ascii = (bytes: Uint8Array, at: number, n: number) => String.fromCharCode(...bytes.subarray(at, at + n));
const u24 = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8) | (b[at + 2] << 16);

/** Reads a WebP file's RIFF structure; throws on anything malformed (sizes that do not add up, unknown layout). */
export function webpInfo(bytes: Uint8Array): WebpInfo {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (ascii(bytes, 0, 4) !== 'RIFF' || ascii(bytes, 8, 4) !== 'WEBP') throw new Error('not RIFF/WEBP');
  if (view.getUint32(4, true) + 8 !== bytes.length) throw new Error('RIFF size does not match the file');
  const chunks: string[] = [];
  let width = 0, height = 0, alpha = false, animated = false;
  for (let at = 12; at < bytes.length; ) {
    const type = ascii(bytes, at, 4), size = view.getUint32(at + 4, true), body = at + 8;
    if (body + size > bytes.length) throw new Error(`chunk ${type} runs past the end`);
    chunks.push(type);
    if (type === 'VP8X') {
      alpha = (bytes[body] & 0x10) !== 0;
      animated = (bytes[body] & 0x02) !== 0;
      [width, height] = [u24(bytes, body + 4) + 1, u24(bytes, body + 7) + 1];
    } else if (type === 'VP8 ' && chunks.length === 1) {
      // Key frame start code, then 14-bit width and height.
      if (bytes[body + 3] !== 0x9d || bytes[body + 4] !== 0x01 || bytes[body + 5] !== 0x2a) throw new Error('VP8 start code missing');
      [width, height] = [view.getUint16(body + 6, true) & 0x3fff, view.getUint16(body + 8, true) & 0x3fff];
    } else if (type === 'VP8L' && chunks.length === 1) {
      const bits = view.getUint32(body + 1, true);
      [width, height, alpha] = [(bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1, ((bits >>> 28) & 1) === 1];
    }
    at = body + size + (size & 1);
  }
  if (!width || !height) throw new Error('no image size found');
  return { width, height, chunks, alpha, animated };
}

/** What a JPEG file declares: its size, colour components, and the SOF marker (0xc0 baseline, 0xc2 progressive). */
export interface JpegInfo {
  width: number;
  height: number;
  components: number;
  sof: number;
}

/** Walks a JPEG's marker segments from SOI to EOI; throws on anything malformed. */
export function jpegInfo(bytes: Uint8Array): JpegInfo {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0) !== 0xffd8) throw new Error('no SOI');
  if (view.getUint16(bytes.length - 2) !== 0xffd9) throw new Error('no EOI at the end');
  let info: JpegInfo | undefined;
  for (let at = 2; at < bytes.length - 2; ) {
    if (bytes[at] !== 0xff) throw new Error(`no marker at ${at}`);
    const marker = bytes[at + 1], length = view.getUint16(at + 2);
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      info = { sof: marker, height: view.getUint16(at + 5), width: view.getUint16(at + 7), components: bytes[at + 9] };
    }
    at += 2 + length;
    if (marker === 0xda) {
      // Entropy-coded data up to the next marker that is not a stuffed byte or a restart marker.
      while (at < bytes.length - 2 && !(bytes[at] === 0xff && bytes[at + 1] !== 0 && (bytes[at + 1] < 0xd0 || bytes[at + 1] > 0xd7))) at++;
    }
  }
  if (!info) throw new Error('no SOF segment');
  return info;
}

/**
 * zlib stream (RFC 1950/1951) of one dynamic-Huffman deflate block with literals only: the strategy zlib calls
 * Z_HUFFMAN_ONLY. PNG-filtered pixels of smooth images are mostly small residuals, so an entropy coder alone gets
 * most of deflate's gain without LZ77's match search, which is where general deflaters spend their time.
 *
 * Why hand-written: measured inside workerd on the same 128x128 face, same runs, on a loaded 2-core machine
 * (`npm run bench:edge`; upng-js took 2.3–3.5x its quiet-machine time there):
 *   this coder + Paeth, RGB   0.8–1.1 ms  20.8 kB   synchronous, identical bytes on every platform, also does APNG
 *   CompressionStream('deflate') 3.4–4.9 ms 22.4 kB  async stream set-up per image; bytes depend on the platform's zlib
 *   upng-js                     42–65 ms  22.9 kB   tries five filters, deflating each time
 *   @jsquash/png (wasm)       0.5–0.8 ms  30.7 kB   RGBA only, no APNG, a second wasm module to load
 * The wasm encoder is faster but its files are half as large again, for every image the CDN stores and serves;
 * this coder gives the smallest output of the four.
 */

const MAX_LIT_BITS = 15;
const MAX_CLEN_BITS = 7;
const END_OF_BLOCK = 256;
/** Order in which code-length code lengths are sent (RFC 1951 §3.2.7). */
const CLEN_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/**
 * Code lengths of a Huffman code for `freqs`, no longer than `maxBits`. When the optimal code is too deep,
 * frequencies are halved (keeping non-zero ones non-zero) and the code rebuilt: simple, and rare on image data.
 */
export function huffmanLengths(freqs: ArrayLike<number>, maxBits: number): Uint8Array {
  const n = freqs.length;
  const lengths = new Uint8Array(n);
  let f = Array.from(freqs);
  for (;;) {
    const used: number[] = [];
    for (let i = 0; i < n; i++) if (f[i] > 0) used.push(i);
    lengths.fill(0);
    if (used.length === 1) {
      lengths[used[0]] = 1;
      return lengths;
    }
    // Two-queue Huffman construction over leaves sorted by weight; ties broken by symbol for determinism.
    used.sort((a, b) => f[a] - f[b] || a - b);
    const weight: number[] = used.map((s) => f[s]);
    const parent: number[] = new Array(used.length * 2).fill(-1);
    let leaf = 0, node = used.length, next = used.length;
    const pick = (): number => {
      if (leaf < used.length && (node >= next || weight[leaf] <= weight[node])) return leaf++;
      return node++;
    };
    while (next < used.length * 2 - 1) {
      const a = pick(), b = pick();
      weight[next] = weight[a] + weight[b];
      parent[a] = parent[b] = next++;
    }
    let deepest = 0;
    const depth = new Array(next).fill(0);
    for (let i = next - 2; i >= 0; i--) depth[i] = depth[parent[i]] + 1;
    for (let i = 0; i < used.length; i++) {
      lengths[used[i]] = depth[i];
      deepest = Math.max(deepest, depth[i]);
    }
    if (deepest <= maxBits) return lengths;
    f = f.map((x) => (x > 0 ? (x >> 1) | 1 : 0));
  }
}

/** Canonical codes for `lengths`, bit-reversed because deflate sends Huffman codes most significant bit first. */
function canonicalCodes(lengths: Uint8Array, maxBits: number): Uint16Array {
  const count = new Uint16Array(maxBits + 1);
  for (const l of lengths) if (l) count[l]++;
  const nextCode = new Uint16Array(maxBits + 1);
  for (let bits = 1, code = 0; bits <= maxBits; bits++) {
    code = (code + count[bits - 1]) << 1;
    nextCode[bits] = code;
  }
  const codes = new Uint16Array(lengths.length);
  for (let s = 0; s < lengths.length; s++) {
    const len = lengths[s];
    if (!len) continue;
    let code = nextCode[len]++, rev = 0;
    for (let b = 0; b < len; b++, code >>= 1) rev = (rev << 1) | (code & 1);
    codes[s] = rev;
  }
  return codes;
}

/** Little-endian bit writer into a growable per-isolate scratch buffer (encoding is synchronous, so sharing is safe). */
class BitWriter {
  private static scratch = new Uint8Array(1 << 16);
  buf: Uint8Array;
  pos = 0;
  private bits = 0;
  private count = 0;

  constructor(capacity: number) {
    if (BitWriter.scratch.length < capacity) BitWriter.scratch = new Uint8Array(capacity);
    this.buf = BitWriter.scratch;
  }

  byte(value: number): void {
    this.buf[this.pos++] = value;
  }

  write(value: number, width: number): void {
    this.bits |= value << this.count;
    this.count += width;
    while (this.count >= 8) {
      this.buf[this.pos++] = this.bits & 0xff;
      this.bits >>>= 8;
      this.count -= 8;
    }
  }

  /** The hot loop: codes are at most 15 bits, so one code is added and at most two whole bytes leave per step. */
  literals(data: Uint8Array, codes: Uint16Array, lengths: Uint8Array): void {
    const buf = this.buf;
    let bits = this.bits, count = this.count, pos = this.pos;
    for (let i = 0; i < data.length; i++) {
      const s = data[i];
      bits |= codes[s] << count;
      count += lengths[s];
      // Branch-free: always store two bytes, keep them only when 16 bits are complete (a branch here is taken at
      // random and mispredicts). `count` stays below 31, so the shifts never overflow.
      const full = count >> 4;
      buf[pos] = bits & 0xff;
      buf[pos + 1] = (bits >>> 8) & 0xff;
      pos += full << 1;
      bits >>>= full << 4;
      count -= full << 4;
    }
    this.bits = bits;
    this.count = count;
    this.pos = pos;
    this.write(0, 0);
  }

  flush(): void {
    if (this.count > 0) this.buf[this.pos++] = this.bits & 0xff;
    this.bits = this.count = 0;
  }
}

/**
 * Counts byte values into `freqs` and returns the Adler-32 of `data` (the zlib trailer) in the same pass. Sums are
 * reduced every 1024 bytes, not zlib's 5552 (the most a 32-bit unsigned sum allows): V8 keeps values below 2^30 in
 * small-integer registers, and letting `b` outgrow them made this loop 3.5x slower in workerd (measured).
 */
function histogramAndAdler32(data: Uint8Array, freqs: Uint32Array): number {
  let a = 1, b = 0;
  for (let i = 0; i < data.length; ) {
    const end = Math.min(i + 1024, data.length);
    for (; i < end; i++) {
      const v = data[i];
      freqs[v]++;
      a += v;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** Compresses `data` into a zlib stream (header, one Huffman-only deflate block, Adler-32). Returns a new array. */
export function zlibHuffmanOnly(data: Uint8Array): Uint8Array {
  const freqs = new Uint32Array(257);
  const adler = histogramAndAdler32(data, freqs);
  freqs[END_OF_BLOCK] = 1;
  const litLengths = huffmanLengths(freqs, MAX_LIT_BITS);
  const litCodes = canonicalCodes(litLengths, MAX_LIT_BITS);
  // Two distance codes of one bit, unused: what zlib itself sends for literal-only blocks, accepted by every inflater.
  const lengths = new Uint8Array(257 + 2);
  lengths.set(litLengths);
  lengths[257] = lengths[258] = 1;

  // Code lengths are sent as plain symbols 0–15 (no run-length codes): at most ~130 bytes, simpler than RLE.
  const clenFreqs = new Uint32Array(19);
  for (const l of lengths) clenFreqs[l]++;
  const clenLengths = huffmanLengths(clenFreqs, MAX_CLEN_BITS);
  const clenCodes = canonicalCodes(clenLengths, MAX_CLEN_BITS);
  let hclen = 19;
  while (hclen > 4 && clenLengths[CLEN_ORDER[hclen - 1]] === 0) hclen--;

  const w = new BitWriter(data.length * 2 + 1024);
  w.byte(0x78); // zlib header: deflate, 32 KiB window …
  w.byte(0x01); // … and the check bits for "fastest" level, no dictionary.
  w.write(1, 1); // BFINAL
  w.write(2, 2); // BTYPE = dynamic Huffman
  w.write(257 - 257, 5); // HLIT
  w.write(2 - 1, 5); // HDIST
  w.write(hclen - 4, 4); // HCLEN
  for (let i = 0; i < hclen; i++) w.write(clenLengths[CLEN_ORDER[i]], 3);
  for (const l of lengths) w.write(clenCodes[l], clenLengths[l]);
  w.literals(data, litCodes, litLengths);
  w.write(litCodes[END_OF_BLOCK], litLengths[END_OF_BLOCK]);
  w.flush();
  w.byte(adler >>> 24);
  w.byte((adler >>> 16) & 0xff);
  w.byte((adler >>> 8) & 0xff);
  w.byte(adler & 0xff);
  return w.buf.slice(0, w.pos);
}

/**
 * Seed → latent vector: the one piece every client must reproduce bit for bit.
 *
 * Algorithm (also specified in the README):
 * 1. `digest = SHA-256(UTF-8(seed))` (32 bytes).
 * 2. Philox4x32-10 (Random123), key = digest words 0–1, counter = (block, 0, digest word 2, digest word 3);
 *    words are little-endian uint32. Block `b` (0, 1, 2, …) yields four uint32 `x0..x3`.
 * 3. Each word becomes a uniform `u = (x + 0.5) / 2^32` in the open interval (0, 1).
 * 4. Box–Muller on pairs (u0, u1), (u2, u3): `r = sqrt(-2 ln u_a)`, `z_a = r cos(2π u_b)`, `z_b = r sin(2π u_b)`.
 * 5. The first `dim` normals, rounded to float32, are the latent.
 *
 * A counter-based generator makes element `i` depend only on (seed, i), so longer latents extend shorter ones.
 */

const PHILOX_M0 = 0xd2511f53;
const PHILOX_M1 = 0xcd9e8d57;
const PHILOX_W0 = 0x9e3779b9;
const PHILOX_W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two uint32 (JS numbers are exact only to 2^53, so split in halves). */
function mulhi32(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const lo = a0 * b0, mid1 = a1 * b0, mid2 = a0 * b1;
  const carry = ((lo >>> 16) + (mid1 & 0xffff) + (mid2 & 0xffff)) >>> 16;
  return (a1 * b1 + (mid1 >>> 16) + (mid2 >>> 16) + carry) >>> 0;
}

/** Philox4x32 with 10 rounds. Inputs and outputs are uint32 words. */
export function philox4x32_10(counter: readonly number[], key: readonly number[]): [number, number, number, number] {
  let [c0, c1, c2, c3] = counter.map((w) => w >>> 0);
  let [k0, k1] = key.map((w) => w >>> 0);
  for (let round = 0; round < 10; round++) {
    if (round > 0) {
      k0 = (k0 + PHILOX_W0) >>> 0;
      k1 = (k1 + PHILOX_W1) >>> 0;
    }
    const hi0 = mulhi32(PHILOX_M0, c0), lo0 = Math.imul(PHILOX_M0, c0) >>> 0;
    const hi1 = mulhi32(PHILOX_M1, c2), lo1 = Math.imul(PHILOX_M1, c2) >>> 0;
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
  }
  return [c0, c1, c2, c3];
}

const encoder = new TextEncoder();

/** SHA-256 of the seed's UTF-8 bytes, via Web Crypto (present in workerd, Node ≥ 19 and browsers). */
export async function seedDigest(seed: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(seed)));
}

/** The standard-normal latent for a seed digest (steps 2–5 above). */
export function latentFromDigest(digest: Uint8Array, dim: number): Float32Array {
  const view = new DataView(digest.buffer, digest.byteOffset, digest.byteLength);
  const key = [view.getUint32(0, true), view.getUint32(4, true)];
  const d2 = view.getUint32(8, true), d3 = view.getUint32(12, true);
  const out = new Float32Array(dim);
  for (let block = 0, i = 0; i < dim; block++) {
    const x = philox4x32_10([block, 0, d2, d3], key);
    for (let p = 0; p < 4 && i < dim; p += 2) {
      const ua = (x[p] + 0.5) / 4294967296, ub = (x[p + 1] + 0.5) / 4294967296;
      const r = Math.sqrt(-2 * Math.log(ua)), theta = 2 * Math.PI * ub;
      out[i++] = r * Math.cos(theta);
      if (i < dim) out[i++] = r * Math.sin(theta);
    }
  }
  return out;
}

/** The standard-normal latent of `dim` values for a seed string. */
export async function seedToLatent(seed: string, dim: number): Promise<Float32Array> {
  return latentFromDigest(await seedDigest(seed), dim);
}

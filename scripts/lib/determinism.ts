/**
 * The determinism vector: 1,000 faces whose PNG bytes must be the same in every fresh worker and in src/runtime on
 * Node. `npm run vectors` commits the SHA-256 of their list of SHA-256s (test/vectors.json → `faceList`), so that a
 * change to any byte of any of them is a deliberate, versioned decision; test/worker/determinism.test.ts checks it.
 */
import { createHash } from 'node:crypto';
import type { RunningWorker } from './miniflare';

/** One face of the list. */
export interface DeterminismCase {
  seed: string;
  size: number;
  shape: 'square' | 'circle';
}

/** Sizes cycled through: the default (model 6's native 128 px), downscales (to 40, and to models 1–5's native 64 px), an upscale. */
const SIZES = [128, 40, 64, 96];

/** Number of faces in the list. */
export const DETERMINISM_COUNT = 1000;

/** The faces: e-mail-like seeds (the Gravatar use), every size above, square and circle. */
export const DETERMINISM_CASES: DeterminismCase[] = Array.from({ length: DETERMINISM_COUNT }, (_, i) => ({
  seed: `user-${i}@example.com`,
  size: SIZES[i % SIZES.length],
  shape: i % 2 === 0 ? 'square' : 'circle',
}));

/** The URL that serves `c`; the default face uses the bare Gravatar form, without a query string. */
export function determinismPath(c: DeterminismCase): string {
  const base = `/face/${encodeURIComponent(c.seed)}.png`;
  return c.size === 128 && c.shape === 'square' ? base : `${base}?size=${c.size}&shape=${c.shape}`;
}

/** Hex SHA-256 of bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The committed figure: SHA-256 of the faces' hex SHA-256s, one per line in list order. */
export function listDigest(hashes: string[]): string {
  return sha256Hex(new TextEncoder().encode(hashes.join('\n')));
}

/**
 * SHA-256 of every face's PNG as `render` makes it, `concurrency` at a time (concurrent faces share decoder runs in
 * the worker; bytes must not depend on that).
 */
export async function determinismHashes(render: (c: DeterminismCase) => Promise<Uint8Array>, concurrency: number): Promise<string[]> {
  const hashes: string[] = [];
  for (let i = 0; i < DETERMINISM_CASES.length; i += concurrency) {
    const chunk = DETERMINISM_CASES.slice(i, i + concurrency);
    hashes.push(...(await Promise.all(chunk.map(async (c) => sha256Hex(await render(c))))));
  }
  return hashes;
}

/** `render` for {@link determinismHashes} through a running worker; any status but 200 throws. */
export function workerRender(worker: RunningWorker): (c: DeterminismCase) => Promise<Uint8Array> {
  return async (c) => {
    const path = determinismPath(c);
    const response = await worker.fetch(path);
    if (response.status !== 200) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
    return new Uint8Array(await response.arrayBuffer());
  };
}

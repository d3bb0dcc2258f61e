/**
 * Regenerates test/vectors.json: latent prefixes (model-independent, computed here in Node by src/runtime/latent.ts;
 * the tests check workerd's /latent against them), SHA-256 of images (PNG, WebP, JPEG; under the key `png`, which
 * predates the other formats) served by the built worker for the model in models/ (SEEDFACE_MODELS_DIR overrides),
 * and the digest of the 1,000-face determinism list (scripts/lib/determinism.ts).
 * Run after the model changes: `npm run vectors`.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { seedToLatent } from '../src/runtime/latent';
import { DETERMINISM_COUNT, determinismHashes, listDigest, sha256Hex, workerRender } from './lib/determinism';
import { buildWorker } from './lib/build-worker';
import { startWorker } from './lib/miniflare';
import { currentEntry, MODELS_DIR } from './lib/models-dir';

const LATENT_SEEDS = ['alice', 'bob', 'émile 😀', 'x'.repeat(256), '0'];
const LATENT_PREFIX = 8;
const PNG_PATHS = [
  '/face/alice.png',
  '/face/alice?size=64&shape=circle',
  '/face/bob?size=256',
  `/face/${encodeURIComponent('émile 😀')}?size=16`,
  '/interpolate?from=alice&to=bob&steps=4&size=32',
  '/interpolate?from=alice&to=bob&steps=3&size=32&format=apng',
  '/face/alice.webp',
  '/face/alice.jpg',
  '/face/alice.webp?size=64&shape=circle',
  '/face/bob?size=96&format=jpeg&quality=40',
  '/face/bob?size=256&format=webp&quality=100',
  '/interpolate?from=alice&to=bob&steps=4&size=32&format=webp',
  '/interpolate?from=alice&to=bob&steps=4&size=32&format=jpeg&quality=60',
];

const latents = [];
for (const seed of LATENT_SEEDS) latents.push({ seed, first: Array.from(await seedToLatent(seed, LATENT_PREFIX)) });

let png = null, faceList = null;
if (existsSync(join(MODELS_DIR, 'manifest.json'))) {
  const model = currentEntry();
  const worker = await startWorker(buildWorker('dist/vectors-worker'));
  try {
    await worker.putModels();
    const cases = [];
    for (const path of PNG_PATHS) {
      const response = await worker.fetch(path);
      if (response.status !== 200) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
      cases.push({ path, sha256: sha256Hex(new Uint8Array(await response.arrayBuffer())) });
    }
    png = { model: { version: model.version, sha256: model.sha256 }, cases };
    const digest = listDigest(await determinismHashes(workerRender(worker), 16));
    faceList = { model: png.model, count: DETERMINISM_COUNT, digest };
  } finally {
    await worker.dispose();
  }
} else {
  console.warn(`${MODELS_DIR}/manifest.json is missing: writing latent vectors only`);
}

const out = resolve(import.meta.dirname, '../test/vectors.json');
writeFileSync(out, JSON.stringify({ algorithm: 'see src/runtime/latent.ts', latents, png, faceList }, null, 2) + '\n');
console.log(`wrote ${out}${png ? ` (PNG vectors and the ${DETERMINISM_COUNT}-face list digest for ${png.model.version})` : ''}`);

/**
 * Regenerates test/vectors.json: latent prefixes (model-independent, computed here in Node by src/runtime/latent.ts;
 * the tests check workerd's /latent against them), SHA-256 of images (PNG, WebP, JPEG) served by the built worker for
 * every model version in models/ (SEEDFACE_MODELS_DIR overrides), each URL pinned to its version with `v=`, and the
 * digest of the current model's 1,000-face determinism list (scripts/lib/determinism.ts).
 *
 * A version's bytes never change: what the file already records for a version (same weights) is kept, and only
 * what is missing (a new version, a new URL) is rendered. To re-record a version on purpose, delete its entry.
 * Run after publishing a model: `npm run vectors`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { seedToLatent } from '../src/runtime/latent';
import { DETERMINISM_COUNT, determinismHashes, listDigest, sha256Hex, workerRender } from './lib/determinism';
import { buildWorker } from './lib/build-worker';
import { startWorker } from './lib/miniflare';
import { currentEntry, MODELS_DIR, readManifest } from './lib/models-dir';
import { versionedPath, type Vectors } from './lib/vectors';

const LATENT_SEEDS = ['alice', 'bob', 'émile 😀', 'x'.repeat(256), '0'];
const LATENT_PREFIX = 8;
const IMAGE_PATHS = [
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
  // frames (one per option)
  '/face/alice.png?width=300&height=200',
  '/face/alice.png?width=120&height=200&fit=contain',
  '/face/alice.png?width=300&height=200&fit=contain&background=ff0000',
  '/face/alice.webp?width=200&height=120&fit=contain&background=transparent',
  '/face/alice.png?size=48&dpr=3',
  '/face/alice.png?size=96&grayscale',
  '/face/alice.png?size=96&blur=4',
  '/face/alice.jpg?size=64&shape=circle&background=336699',
  '/interpolate?from=alice&to=bob&steps=3&size=32&shape=circle&background=ffffff&grayscale&blur=2',
];

const OUT = resolve(import.meta.dirname, '../test/vectors.json');
const before: Partial<Vectors> = existsSync(OUT) ? JSON.parse(readFileSync(OUT, 'utf8')) : {};

const latents = [];
for (const seed of LATENT_SEEDS) latents.push({ seed, first: Array.from(await seedToLatent(seed, LATENT_PREFIX)) });

const images: Vectors['images'] = [];
let faceList: Vectors['faceList'] = null;
if (existsSync(join(MODELS_DIR, 'manifest.json'))) {
  const worker = await startWorker(buildWorker('dist/vectors-worker'));
  try {
    await worker.putModels();
    for (const { version, sha256 } of readManifest().models) {
      const kept = before.images?.find((m) => m.model.version === version && m.model.sha256 === sha256);
      const cases = [];
      for (const path of IMAGE_PATHS.map((p) => versionedPath(p, version))) {
        const known = kept?.cases.find((c) => c.path === path);
        if (known) {
          cases.push(known);
          continue;
        }
        const response = await worker.fetch(path);
        if (response.status !== 200) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
        cases.push({ path, sha256: sha256Hex(new Uint8Array(await response.arrayBuffer())) });
      }
      images.push({ model: { version, sha256 }, cases });
    }
    const current = currentEntry();
    const model = { version: current.version, sha256: current.sha256 };
    const kept = before.faceList;
    faceList = kept && kept.model.sha256 === model.sha256 && kept.count === DETERMINISM_COUNT ? kept
      : { model, count: DETERMINISM_COUNT, digest: listDigest(await determinismHashes(workerRender(worker), 16)) };
  } finally {
    await worker.dispose();
  }
} else {
  console.warn(`${MODELS_DIR}/manifest.json is missing: writing latent vectors only`);
}

writeFileSync(OUT, JSON.stringify({ algorithm: 'see src/runtime/latent.ts', latents, images, faceList }, null, 2) + '\n');
console.log(`wrote ${OUT} (image vectors for version ${images.map((m) => m.model.version).join(', ') || 'none'}; `
  + `the ${DETERMINISM_COUNT}-face list digest for ${faceList?.model.version ?? 'none'})`);

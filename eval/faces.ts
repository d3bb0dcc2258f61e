/**
 * Face analysis with @vladmandic/human (blazeface detector + faceres: 1024-d embedding, age, gender) on
 * tfjs's wasm backend, loaded fully offline from the model files inside the npm package.
 *
 * Loading needs three workarounds (see shared FACTS): human's `exports` map is malformed, so its Node+wasm dist
 * file is required by path; Node's fetch cannot read `file://` URLs, so a fetch shim serves them from disk;
 * and the wasm backend must be told where its `.wasm` files are, or it fetches them from a CDN.
 */
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pad, type RgbImage } from './image';

const require = createRequire(import.meta.url);
// Resolving the package's main entry (never loaded: it needs tfjs-node) locates the package; its `exports`
// map hides package.json.
const humanRoot = path.dirname(path.dirname(require.resolve('@vladmandic/human')));
const wasmDist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));

/** What the analyser saw in one image. Attributes and embedding come from the highest-scoring face. */
export interface FaceAnalysis {
  /** Faces found at or above the detection threshold. */
  faces: number;
  /** Detector score of the best face, 0 if none. */
  score: number;
  embedding: Float32Array | null;
  /** faceres's age in years (see {@link predictedAge}); null when no face or no description. */
  age: number | null;
  gender: 'female' | 'male' | 'unknown' | null;
  /** faceres's confidence in `gender`, 0.5–1 (null when no face or no score). */
  genderScore: number | null;
}

/**
 * faceres's age from what human reports. human copies an age into its result only when it is truthy, so a face
 * whose description ran (it has an embedding) but carries no age was predicted 0 years: on the shared set's real
 * faces that is 50 of the 60 UTKFace babies aged 0–2, 11 of 27 aged 3–5 and none of 809 aged 18 or more. (The
 * other way human drops an age, a NaN from faceres's top bin at 99 years, never occurs there: the oldest prediction
 * is 70.7.)
 */
export function predictedAge(age: number | null | undefined, hasEmbedding: boolean): number | null {
  if (typeof age === 'number' && Number.isFinite(age)) return age;
  return hasEmbedding ? 0 : null;
}

/** Detection and image-preparation settings; part of the embedding cache key. */
export interface FaceAnalyzerOptions {
  /** Side, in pixels, of every analysed image: real faces are resized to the model's size so both sets match. */
  size: number;
  /** Minimum blazeface score for a face to count. */
  threshold?: number;
  /** Grey border added on each side, as a fraction of `size`: blazeface misses faces that fill the frame. */
  padFraction?: number;
}

/** A loaded face analyser. */
export interface FaceAnalyzer {
  analyze(image: RgbImage): Promise<FaceAnalysis>;
  /** Identifies everything that changes results (settings and human/tfjs versions), for cache keys. */
  readonly settingsKey: string;
}

/** A fetch that reads `file://` URLs from disk and leaves every other URL to the real fetch. */
function fileFetch(realFetch: typeof fetch): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith('file://')) return realFetch(input, init);
    const body = await readFile(fileURLToPath(url));
    return new Response(body, { headers: { 'content-type': url.endsWith('.json') ? 'application/json' : 'application/octet-stream' } });
  };
}

// human ships no types usable through a by-path require.
type Human = any;
let humanPromise: Promise<Human> | undefined;

/** Loads human once per process (model loading takes ~0.2 s, and tfjs's backend is process-global anyway). */
function loadHuman(threshold: number): Promise<Human> {
  humanPromise ??= (async () => {
    // Marked, so that a second copy of this module (test runners re-import modules) does not wrap it again.
    if (!(globalThis.fetch as { seedfaceFileFetch?: boolean }).seedfaceFileFetch) {
      globalThis.fetch = Object.assign(fileFetch(globalThis.fetch), { seedfaceFileFetch: true });
    }
    const wasm = require('@tensorflow/tfjs-backend-wasm');
    // One thread: the evaluation shares a 2-core machine, and a single thread keeps results reproducible.
    wasm.setThreadsCount(1);
    const { Human } = require(path.join(humanRoot, 'dist/human.node-wasm.js'));
    const human = new Human({
      backend: 'wasm',
      wasmPath: `${wasmDist}/`,
      modelBasePath: `file://${humanRoot}/models/`,
      debug: false,
      warmup: 'none',
      async: false,
      // Human caches results between similar video frames; every image here must be analysed afresh.
      cacheSensitivity: 0,
      filter: { enabled: false },
      gesture: { enabled: false },
      body: { enabled: false },
      hand: { enabled: false },
      object: { enabled: false },
      segmentation: { enabled: false },
      face: {
        enabled: true,
        // Up to 4 faces so that "exactly one face" can be judged; no rotation: inputs are aligned faces.
        detector: { rotation: false, maxDetected: 4, minConfidence: threshold, return: false },
        // The mesh would re-crop faces by its own landmarks; the detector box alone keeps the embedding simpler.
        mesh: { enabled: false },
        iris: { enabled: false },
        emotion: { enabled: false },
        attention: { enabled: false },
        antispoof: { enabled: false },
        liveness: { enabled: false },
        description: { enabled: true },
      },
    });
    await human.load();
    return human;
  })();
  return humanPromise;
}

/**
 * Loads the analyser. All analysers in one process share one human instance, so they must use the same
 * threshold.
 */
export async function createFaceAnalyzer(options: FaceAnalyzerOptions): Promise<FaceAnalyzer> {
  const { size, threshold = 0.5, padFraction = 0.25 } = options;
  const human = await loadHuman(threshold);
  if (human.config.face.detector.minConfidence !== threshold) throw new Error('createFaceAnalyzer: human already loaded with another threshold');
  const border = Math.round(size * padFraction);
  const settingsKey = JSON.stringify({ human: human.version, tfjs: human.tf.version_core, size, threshold, border, mesh: false });

  async function analyze(image: RgbImage): Promise<FaceAnalysis> {
    if (image.width !== size || image.height !== size) throw new Error(`analyze: expected a ${size}x${size} image, got ${image.width}x${image.height}`);
    const padded = pad(image, border, [128, 128, 128]);
    const input = human.tf.tensor4d(Float32Array.from(padded.data), [1, padded.height, padded.width, 3], 'float32');
    try {
      const result = await human.detect(input);
      const faces = [...result.face].sort((a: { boxScore: number }, b: { boxScore: number }) => b.boxScore - a.boxScore);
      const best = faces[0];
      if (!best) return { faces: 0, score: 0, embedding: null, age: null, gender: null, genderScore: null };
      // faceres can emit NaN on degenerate crops; such an embedding is unusable, like a missing one.
      const embedding = best.embedding?.length && best.embedding.every(Number.isFinite) ? Float32Array.from(best.embedding) : null;
      return {
        faces: faces.length,
        score: best.boxScore,
        embedding,
        age: predictedAge(best.age, embedding !== null),
        gender: best.gender === 'female' || best.gender === 'male' ? best.gender : 'unknown',
        genderScore: Number.isFinite(best.genderScore) ? best.genderScore : null,
      };
    } finally {
      input.dispose();
    }
  }

  return { analyze, settingsKey };
}

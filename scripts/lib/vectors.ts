/** The shape of test/vectors.json (written by scripts/vectors.ts, checked by test/worker/determinism.test.ts). */

/** A model version and the weights it names. */
export interface VectorModel {
  version: string;
  sha256: string;
}

export interface Vectors {
  algorithm: string;
  /** The first values of seeds' latents: model-independent. */
  latents: Array<{ seed: string; first: number[] }>;
  /** Per model version: URLs (each pinned with `v=`) and the SHA-256 of the image each serves. */
  images: Array<{ model: VectorModel; cases: Array<{ path: string; sha256: string }> }>;
  /** The current model's 1,000-face determinism list digest (scripts/lib/determinism.ts). */
  faceList: { model: VectorModel; count: number; digest: string } | null;
}

/** `path` served by model `version`, whatever the default is. */
export function versionedPath(path: string, version: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}v=${encodeURIComponent(version)}`;
}

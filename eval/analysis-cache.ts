/**
 * On-disk cache of face analyses of real images, keyed by the SHA-256 of each image file's bytes (a tar member
 * counts as a file), one JSON-lines file per analyser setting. Append-only, so an interrupted run keeps what it
 * finished; real sets are analysed once and every later model evaluation reuses them.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { predictedAge, type FaceAnalysis } from './faces';

/** Hex SHA-256 of some bytes. */
export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

interface Line {
  hash: string;
  faces: number;
  score: number;
  age: number | null;
  gender: FaceAnalysis['gender'];
  /** Absent in lines written before it was recorded. */
  genderScore?: number | null;
  /** base64 of the float32 embedding bytes: exact and ~3x smaller than decimal text. */
  embedding: string | null;
}

/** Face analyses by image hash, backed by `<dir>/faces-<settings hash>.jsonl`. */
export class AnalysisCache {
  readonly file: string;
  private readonly entries = new Map<string, FaceAnalysis>();

  constructor(dir: string, settingsKey: string) {
    this.file = path.join(dir, `faces-${sha256(settingsKey).slice(0, 16)}.jsonl`);
    let text = '';
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      mkdirSync(dir, { recursive: true });
    }
    for (const raw of text.split('\n')) {
      if (!raw) continue;
      let line: Line;
      try {
        line = JSON.parse(raw) as Line;
      } catch {
        continue; // a line cut short by an interrupted run; it is recomputed
      }
      const embedding = line.embedding === null ? null : new Float32Array(new Uint8Array(Buffer.from(line.embedding, 'base64')).buffer);
      // Lines written before predictedAge existed hold null where faceres said 0 years.
      this.entries.set(line.hash, { faces: line.faces, score: line.score, age: predictedAge(line.age, embedding !== null), gender: line.gender, genderScore: line.genderScore ?? null, embedding });
    }
  }

  get(hash: string): FaceAnalysis | undefined {
    return this.entries.get(hash);
  }

  set(hash: string, analysis: FaceAnalysis): void {
    this.entries.set(hash, analysis);
    const { embedding, ...rest } = analysis;
    const line: Line = { hash, ...rest, embedding: embedding ? Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength).toString('base64') : null };
    appendFileSync(this.file, `${JSON.stringify(line)}\n`);
  }
}

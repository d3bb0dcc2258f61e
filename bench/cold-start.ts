/** Fresh workerd + isolate start-up and the first request after it; shared by bench/edge.ts and bench/run.ts. */
import { startWorker } from '../scripts/lib/miniflare';

/** One fresh start: ms until workerd listens (ORT's runtime start begins there), then the first face's round trip. */
export interface ColdStart {
  startupMs: number;
  firstRequestMs: number;
}

/** Round-trip ms of `fetch`, body read, and the response. */
export async function timed(fetch: () => Promise<Response>): Promise<{ ms: number; response: Response }> {
  const started = performance.now();
  const response = await fetch();
  await response.arrayBuffer();
  return { ms: performance.now() - started, response };
}

/**
 * Starts the worker bundled in `dir` `runs` times, each in a fresh workerd with the models/ bucket, and times its
 * first `GET /face/first-<i>.<extension>?size=128` (R2 read, sha256, session, test decode, decode, and the encoder,
 * for WebP and JPEG with the codec's start); each worker is stopped before the next starts.
 */
export async function coldStarts(dir: string, runs: number, extension: 'png' | 'webp' | 'jpg' = 'png'): Promise<ColdStart[]> {
  const starts: ColdStart[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const worker = await startWorker(dir);
    const startupMs = performance.now() - started;
    try {
      await worker.putModels();
      const { ms, response } = await timed(() => worker.fetch(`/face/first-${i}.${extension}?size=128`));
      if (response.status !== 200) throw new Error(`first request: HTTP ${response.status}`);
      starts.push({ startupMs, firstRequestMs: ms });
    } finally {
      await worker.dispose();
    }
  }
  return starts;
}

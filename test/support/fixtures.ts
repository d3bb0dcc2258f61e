/** Shared set-up for the `worker` project's test files. */
import { afterAll, beforeAll, inject } from 'vitest';
import { startWorker, type RunningWorker, type WorkerOptions } from '../../scripts/lib/miniflare';

/**
 * Starts a fresh worker for the enclosing test file (or describe block) and stops it afterwards.
 * With `models: true` the MODELS bucket is filled from models/ first; `runtime: true` adds ORT's browser wasm files;
 * `rateLimit` gives it the rate-limit binding (none by default: unlimited); `logs` gets the lines it logs.
 */
export function useWorker(options: { models: boolean; runtime?: boolean } & WorkerOptions): () => RunningWorker {
  let worker: RunningWorker | undefined;
  beforeAll(async () => {
    worker = await startWorker(inject('workerDir'), { rateLimit: options.rateLimit, logs: options.logs });
    if (options.models) await worker.putModels();
    if (options.runtime) await worker.putRuntime();
  });
  afterAll(async () => {
    await worker?.dispose();
  });
  return () => {
    if (!worker) throw new Error('worker not started');
    return worker;
  };
}

/** Hex SHA-256 of bytes. */
export { sha256Hex as sha256 } from '../../scripts/lib/determinism';

/** Fetches `path` and returns the response with its body read. */
export async function get(worker: RunningWorker, path: string, headers?: Record<string, string>) {
  const response = await worker.fetch(path, { headers });
  const body = new Uint8Array(await response.arrayBuffer());
  return { response, body, status: response.status, header: (name: string) => response.headers.get(name) };
}

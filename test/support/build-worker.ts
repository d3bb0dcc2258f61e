/**
 * vitest globalSetup of the `worker` project: bundles the worker exactly as `wrangler deploy` would, once per run,
 * and hands the output folder to the test files. The folder is per process (several people run the tests in one
 * checkout) and removed afterwards.
 */
import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { buildWorker } from '../../scripts/lib/build-worker';

declare module 'vitest' {
  export interface ProvidedContext {
    workerDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = buildWorker(`dist/test-worker-${process.pid}`);
  project.provide('workerDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}

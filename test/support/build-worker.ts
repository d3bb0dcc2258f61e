/**
 * vitest globalSetup of the `worker` project: bundles the worker exactly as `wrangler deploy` would, once per run,
 * and hands the output folder to the test files.
 */
import type { TestProject } from 'vitest/node';
import { buildWorker } from '../../scripts/lib/worker';

declare module 'vitest' {
  export interface ProvidedContext {
    workerDir: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  project.provide('workerDir', await buildWorker('dist/test-worker'));
}

/** The built worker (./build-worker.ts) in workerd, through Miniflare's API; shared by the tests, the vectors script and the benchmarks. */
import { readFileSync } from 'node:fs';
import { Miniflare } from 'miniflare';
import { RATE_LIMIT_BINDING, type RateLimitConfig } from '../../src/http/rate-limit-config';
import { bundleModules } from './build-worker';
import { modelUploads, runtimeObjects, type Upload } from './uploads';
import { assetsDir, wranglerConfig } from './wrangler-config';

/** A running worker. */
export interface RunningWorker {
  mf: Miniflare;
  /** Where it listens on the loopback interface, for browsers (`http://127.0.0.1:<port>/`). */
  url: URL;
  /** GET (or any method) against the worker; `path` starts with `/`. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Puts `manifest.json` and every file it names from models/ into the MODELS bucket, manifest last. */
  putModels(): Promise<void>;
  /** Puts ORT's browser wasm files (./uploads.ts) into the MODELS bucket. */
  putRuntime(): Promise<void>;
  dispose(): Promise<void>;
}

/** How {@link startWorker} configures the worker beyond its bundle. */
export interface WorkerOptions {
  /**
   * Gives the worker its rate-limit binding with these numbers (Miniflare simulates it: fixed windows aligned to
   * the period, in memory). Without it the worker runs unlimited, as the tests and the benchmark need.
   */
  rateLimit?: RateLimitConfig;
  /**
   * `false` gives the worker no Cache API storage (every put a no-op): the benchmark's view of the worker without
   * Miniflare's local cache, whose background writes stall keep-alive connections (docs/tail-latency-notes.md).
   */
  cache?: boolean;
  /**
   * Gets each line the worker logs (its console.log, warn and error), as workerd reports it. Without it, errors go to
   * stderr and the rest is dropped: the worker logs one line per request (src/http/observability.ts), which would
   * bury the output of tests and benchmarks.
   */
  logs?: (line: WorkerLogLine) => void;
}

/** A line the worker logged: its level (`log`, `warn`, `error`, …) and its text. */
export interface WorkerLogLine {
  level: string;
  message: string;
}

/** Where a worker's lines go without a `logs` option: errors to stderr, nothing else. */
function errorsToStderr({ level, message }: WorkerLogLine): void {
  if (level === 'error') process.stderr.write(`${message}\n`);
}

/**
 * Starts the worker bundled in `dir` in a fresh workerd with an empty in-memory MODELS bucket and cache, its static
 * assets (the browser bundle) and a free loopback port.
 */
export async function startWorker(dir: string, options: WorkerOptions = {}): Promise<RunningWorker> {
  const modules = bundleModules(dir);
  const mf = new Miniflare({
    modulesRoot: dir,
    modules,
    compatibilityDate: wranglerConfig().compatibility_date,
    r2Buckets: ['MODELS'],
    ...(options.cache === false && { cache: false }),
    ...(options.rateLimit && {
      ratelimits: { [RATE_LIMIT_BINDING]: { simple: options.rateLimit } },
      bindings: { RATE_LIMIT: options.rateLimit },
    }),
    assets: { directory: assetsDir(), routerConfig: { has_user_worker: true } },
    // Miniflare checks that the handler returns nothing.
    handleStructuredLogs: (line) => void (options.logs ?? errorsToStderr)(line),
    host: '127.0.0.1',
    port: 0,
  });
  const url = await mf.ready;
  const put = async (uploads: Upload[]) => {
    const bucket = await mf.getR2Bucket('MODELS');
    for (const { key, path, type, encoding } of uploads) {
      await bucket.put(key, new Uint8Array(readFileSync(path)), { httpMetadata: { contentType: type, contentEncoding: encoding } });
    }
  };
  return {
    mf,
    url,
    fetch: (path, init) => mf.dispatchFetch(`http://seedface.test${path}`, init as never) as unknown as Promise<Response>,
    putModels: () => put(modelUploads()),
    putRuntime: () => put(runtimeObjects()),
    dispose: () => mf.dispose(),
  };
}

/** The built worker (./build-worker.ts) in workerd, through Miniflare's API; shared by the tests, the vectors script and the benchmarks. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { RATE_LIMIT_BINDING, type RateLimitConfig } from '../../src/http/rate-limit-config';
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
}

/**
 * Starts the worker bundled in `dir` in a fresh workerd with an empty in-memory MODELS bucket and cache, its static
 * assets (the browser bundle) and a free loopback port.
 */
export async function startWorker(dir: string, options: WorkerOptions = {}): Promise<RunningWorker> {
  const modules = readdirSync(dir)
    .filter((f) => f.endsWith('.js') || f.endsWith('.wasm'))
    .map((f) => ({ type: f.endsWith('.wasm') ? ('CompiledWasm' as const) : ('ESModule' as const), path: join(dir, f) }))
    // The bundle's one .js file is the entry and must come first.
    .sort((a, b) => Number(b.type === 'ESModule') - Number(a.type === 'ESModule'));
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

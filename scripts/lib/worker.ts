/**
 * The built worker in workerd, through Miniflare's API; shared by the tests, the vectors script and the benchmark.
 *
 * Miniflare's own module scan cannot follow onnxruntime-web's dynamic import, so the worker is bundled by
 * `wrangler deploy --dry-run` and its output modules are listed explicitly.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Miniflare } from 'miniflare';
import { RATE_LIMIT_BINDING, type RateLimitConfig } from '../../src/http/rate-limit';
import { ORT_WASM_FILES, ortWasmDir } from '../../src/runtime/ort-browser';
import { buildWeb } from './web';

const ROOT = resolve(import.meta.dirname, '../..');

/** A top-level string setting of wrangler.toml (e.g. `compatibility_date`, `bucket_name`), so it is said once. */
export function wranglerSetting(key: string): string {
  const value = new RegExp(`^\\s*${key}\\s*=\\s*"([^"]+)"`, 'm').exec(readFileSync(join(ROOT, 'wrangler.toml'), 'utf8'))?.[1];
  if (!value) throw new Error(`wrangler.toml has no ${key}`);
  return value;
}

/** Runs wrangler offline, without telemetry; its output is shown only if it fails. */
export function wrangler(args: string[]): void {
  execFileSync(join(ROOT, 'node_modules/.bin/wrangler'), args, {
    cwd: ROOT,
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' },
    stdio: 'pipe',
  });
}

/**
 * Builds the browser bundle (the worker's static assets, which wrangler wants to exist), then bundles `entry`
 * (default: wrangler.toml's main) into `outdir` (relative to the repo root); returns its path.
 */
export function buildWorker(outdir: string, entry?: string): string {
  buildWeb();
  const dir = join(ROOT, outdir);
  wrangler(['deploy', ...(entry ? [entry] : []), '--dry-run', '--outdir', dir]);
  return dir;
}

/** The folder with manifest.json and decoders the tests and scripts use; SEEDFACE_MODELS_DIR overrides `models/`. */
export const MODELS_DIR = resolve(ROOT, process.env.SEEDFACE_MODELS_DIR ?? 'models');

/** The manifest in {@link MODELS_DIR}. */
export function readManifest(): {
  current: string;
  models: Array<{
    name: string;
    version: string;
    file: string;
    sha256: string;
    latentSize: number;
    imageSize: number;
    input: string;
    output: string;
    valueRange: [number, number];
    quantization: string;
    parameters?: number;
    macs?: number;
    attributesFile?: string;
    attributesSha256?: string;
    attributes?: string[];
  }>;
} {
  const path = join(MODELS_DIR, 'manifest.json');
  if (!existsSync(path)) throw new Error(`${path} is missing: the tests need a decoder and its manifest (see models/README.md)`);
  return JSON.parse(readFileSync(path, 'utf8'));
}

/**
 * The bucket keys to upload from {@link MODELS_DIR}, in upload order: every file the manifest names (decoders,
 * attribute directions), then `manifest.json` last, so no reader ever sees a manifest that names a missing file.
 */
export function modelUploads(): Array<{ key: string; type: string }> {
  const files = readManifest().models.flatMap((m) => [
    { key: m.file, type: 'application/octet-stream' },
    ...(m.attributesFile ? [{ key: m.attributesFile, type: 'application/json' }] : []),
  ]);
  return [...files, { key: 'manifest.json', type: 'application/json' }];
}

/** onnxruntime-web's version, which names the bucket folder of its browser wasm (src/routes/ort-wasm.ts). */
const ORT_WEB_VERSION: string = JSON.parse(readFileSync(join(ROOT, 'node_modules/onnxruntime-web/package.json'), 'utf8')).version;

/**
 * Bucket objects besides the models: the wasm files of the two ORT builds the browser bundle loads
 * (src/runtime/ort-browser.ts), stored gzipped (`path` is the .gz, made once per ORT version under dist/runtime/).
 * The worker passes them on as they are (src/routes/ort-wasm.ts), so no one compresses 14–27 MB per request.
 */
export function runtimeObjects(): Array<{ key: string; path: string; type: string; encoding: 'gzip' }> {
  return Object.values(ORT_WASM_FILES).map((file) => {
    const key = ortWasmDir(ORT_WEB_VERSION) + file;
    const path = join(ROOT, 'dist', key + '.gz');
    if (!existsSync(path)) {
      mkdirSync(dirname(path), { recursive: true });
      // Several people build in one checkout: rename the finished file into place, never show a half-written one.
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, gzipSync(readFileSync(join(ROOT, 'node_modules/onnxruntime-web/dist', file))));
      renameSync(tmp, path);
    }
    return { key, path, type: 'application/wasm', encoding: 'gzip' as const };
  });
}

/** A running worker. */
export interface RunningWorker {
  mf: Miniflare;
  /** Where it listens on the loopback interface, for browsers (`http://127.0.0.1:<port>/`). */
  url: URL;
  /** GET (or any method) against the worker; `path` starts with `/`. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Puts `manifest.json` and every file it names from {@link MODELS_DIR} into the MODELS bucket, manifest last. */
  putModels(): Promise<void>;
  /** Puts {@link runtimeObjects} (ORT's browser wasm) into the MODELS bucket. */
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
    compatibilityDate: wranglerSetting('compatibility_date'),
    r2Buckets: ['MODELS'],
    ...(options.rateLimit && {
      ratelimits: { [RATE_LIMIT_BINDING]: { simple: options.rateLimit } },
      bindings: { RATE_LIMIT: options.rateLimit },
    }),
    assets: { directory: join(ROOT, wranglerSetting('directory')), routerConfig: { has_user_worker: true } },
    host: '127.0.0.1',
    port: 0,
  });
  const url = await mf.ready;
  return {
    mf,
    url,
    fetch: (path, init) => mf.dispatchFetch(`http://seedface.test${path}`, init as never) as unknown as Promise<Response>,
    async putModels() {
      const bucket = await mf.getR2Bucket('MODELS');
      for (const { key } of modelUploads()) await bucket.put(key, new Uint8Array(readFileSync(join(MODELS_DIR, key))));
    },
    async putRuntime() {
      const bucket = await mf.getR2Bucket('MODELS');
      for (const { key, path, type, encoding } of runtimeObjects()) {
        await bucket.put(key, new Uint8Array(readFileSync(path)), { httpMetadata: { contentType: type, contentEncoding: encoding } });
      }
    },
    dispose: () => mf.dispose(),
  };
}

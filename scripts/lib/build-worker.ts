/**
 * The worker bundle, made exactly as `wrangler deploy` makes it. Miniflare's own module scan cannot follow
 * onnxruntime-web's dynamic import, so the bundle is written by `wrangler deploy --dry-run` and its modules are listed
 * explicitly when it is started (./miniflare.ts).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './root';
import { buildWeb } from './web';
import { wrangler } from './wrangler';

/**
 * The modules of the bundle in `dir` (what wrangler uploads: its .js and .wasm, not the source map), the entry first
 * (the one .js file), each with the module type wrangler gives it.
 */
export function bundleModules(dir: string): { path: string; type: 'ESModule' | 'CompiledWasm' }[] {
  return (
    readdirSync(dir)
      .filter((f) => f.endsWith('.js') || f.endsWith('.wasm'))
      .map((f) => ({ type: f.endsWith('.wasm') ? ('CompiledWasm' as const) : ('ESModule' as const), path: join(dir, f) }))
      .sort((a, b) => Number(b.type === 'ESModule') - Number(a.type === 'ESModule'))
  );
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

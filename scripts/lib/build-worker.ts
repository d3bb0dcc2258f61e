/**
 * The worker bundle, made exactly as `wrangler deploy` makes it. Miniflare's own module scan cannot follow
 * onnxruntime-web's dynamic import, so the bundle is written by `wrangler deploy --dry-run` and its modules are listed
 * explicitly when it is started (./miniflare.ts).
 */
import { join } from 'node:path';
import { ROOT } from './root';
import { buildWeb } from './web';
import { wrangler } from './wrangler';

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

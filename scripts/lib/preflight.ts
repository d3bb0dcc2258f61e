/**
 * The deploy preflight of `npm run build`: the bundle `wrangler deploy` would upload, raw and gzipped, and the static
 * assets, against the Workers plans' limits, failing above the Paid plan's (over them Cloudflare refuses the upload).
 *
 * The limits, from Cloudflare's Workers limits page as of Dec 2026 (developers.cloudflare.com/workers/platform/limits):
 * a Worker may be 64 MiB before compression on every plan. Until 4 Sep 2026 the limit was on the gzipped size instead,
 * 3 MB on Workers Free and 10 MB on Workers Paid (Cloudflare's changelog of that day; wrangler's own size report
 * switched in workers-sdk#14001); the report still gives the gzipped size against those, for an account or a tool
 * that goes by them. Static assets: 25 MiB per file, 20,000 files (Free) or 100,000 (Paid) per version.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { bundleModules } from './build-worker';

const MiB = 1024 * 1024;
const MB = 1000 * 1000;

/** A Workers plan's limits on what a deploy uploads. */
interface PlanLimits {
  plan: string;
  /** Worker size before compression. */
  rawBytes: number;
  /** Worker size after gzip, as it was limited until 4 Sep 2026. */
  formerGzipBytes: number;
  /** Static asset files per Worker version. */
  assetFiles: number;
}

/** Workers Free, then Workers Paid: the preflight fails above the last. */
export const PLAN_LIMITS: PlanLimits[] = [
  { plan: 'Workers Free', rawBytes: 64 * MiB, formerGzipBytes: 3 * MB, assetFiles: 20_000 },
  { plan: 'Workers Paid', rawBytes: 64 * MiB, formerGzipBytes: 10 * MB, assetFiles: 100_000 },
];

/** Largest static asset file, on every plan. */
export const ASSET_FILE_BYTES = 25 * MiB;

/** The files of the assets folder that wrangler reads as configuration, not as assets. */
const ASSET_CONFIG_FILES = new Set(['_headers', '_redirects', '.assetsignore']);

/** What the preflight measured. */
export interface Sizes {
  /** The bundle's modules (its .js and .wasm files) and their total, raw and gzipped (per module, as wrangler counts). */
  modules: number;
  rawBytes: number;
  gzipBytes: number;
  /** The static assets: how many files, and the largest. */
  assetFiles: number;
  largestAsset: { path: string; bytes: number };
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

/** The sizes of the bundle in `bundleDir` and of the assets in `assetsDir`. */
export function measure(bundleDir: string, assetsDir: string): Sizes {
  const modules = bundleModules(bundleDir).map(({ path }) => readFileSync(path));
  const assets = filesUnder(assetsDir)
    .filter((path) => !ASSET_CONFIG_FILES.has(relative(assetsDir, path)))
    .map((path) => ({ path: relative(assetsDir, path), bytes: statSync(path).size }));
  return {
    modules: modules.length,
    rawBytes: modules.reduce((sum, m) => sum + m.length, 0),
    gzipBytes: modules.reduce((sum, m) => sum + gzipSync(m).length, 0),
    assetFiles: assets.length,
    largestAsset: assets.reduce((a, b) => (b.bytes > a.bytes ? b : a), { path: '(none)', bytes: 0 }),
  };
}

const mib = (bytes: number) => `${(bytes / MiB).toFixed(2)} MiB`;
const mb = (bytes: number) => `${(bytes / MB).toFixed(2)} MB`;
const percent = (part: number, whole: number) => `${Math.round((100 * part) / whole)} %`;

/** The report's lines, and whether the Paid plan takes it. */
export function verdict(sizes: Sizes): { lines: string[]; ok: boolean } {
  const paid = PLAN_LIMITS[PLAN_LIMITS.length - 1];
  const lines = [`Worker bundle: ${sizes.modules} modules, ${mib(sizes.rawBytes)} raw, ${mib(sizes.gzipBytes)} (${mb(sizes.gzipBytes)}) gzipped`];
  for (const limits of PLAN_LIMITS) {
    const fits = sizes.rawBytes <= limits.rawBytes;
    const former = sizes.gzipBytes <= limits.formerGzipBytes ? 'within' : 'over';
    lines.push(
      `  ${limits.plan}: ${fits ? 'fits' : 'TOO BIG'}, ${percent(sizes.rawBytes, limits.rawBytes)} of its ${mib(limits.rawBytes)} raw limit ` +
        `(gzipped, ${former} the ${mb(limits.formerGzipBytes)} it allowed until 4 Sep 2026)`,
    );
  }
  const assetsFit = sizes.largestAsset.bytes <= ASSET_FILE_BYTES && sizes.assetFiles <= paid.assetFiles;
  lines.push(
    `Static assets: ${sizes.assetFiles} files (limit ${PLAN_LIMITS.map((l) => `${l.assetFiles.toLocaleString('en')} on ${l.plan}`).join(', ')}), ` +
      `the largest ${sizes.largestAsset.path} at ${mib(sizes.largestAsset.bytes)} (limit ${mib(ASSET_FILE_BYTES)} per file): ${assetsFit ? 'fit' : 'TOO BIG'}`,
  );
  const ok = sizes.rawBytes <= paid.rawBytes && assetsFit;
  if (!ok) lines.push(`Over the ${paid.plan} plan's limits: Cloudflare would refuse this deploy.`);
  return { lines, ok };
}

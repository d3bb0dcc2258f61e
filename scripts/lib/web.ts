/**
 * Builds the browser bundle (web/*.ts and the src/runtime/ modules they import, with onnxruntime-web's WebGPU build)
 * into wrangler.toml's `[assets] directory`, under web/: served as /web/demo.js, /web/face-generator.js, /web/docs.js
 * (with /web/docs.css, Swagger UI's styles), /web/seedface.js (the page elements) and /web/local-faces.js, beside the lossy codecs' wasm (/web/webp_enc_simd.wasm,
 * /web/mozjpeg_enc.wasm; src/runtime/codecs-browser.ts), and the assets' `_headers` file that gives them CORS, CORP
 * and nosniff (src/http/security-headers.ts).
 * Synchronous (esbuild's buildSync), so buildWorker() (./build-worker.ts) can run it before wrangler bundles the worker.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { buildSync } from 'esbuild';
import { assetHeadersFile } from '../../src/http/security-headers';
import { fileName } from '../../src/runtime/codecs-browser';
import { JPEG_WASM } from '../../src/runtime/jpeg';
import { WEBP_WASM } from '../../src/runtime/webp';
import { ROOT } from './root';
import { assetsDir } from './wrangler-config';

/**
 * The entry points that share chunks: the demo page's script, the client API other pages import, the API reference
 * page's script, and the in-page runtime of seedface.js's `local` elements.
 */
const ENTRIES = ['web/demo.ts', 'web/face-generator.ts', 'web/docs.ts', 'web/local-faces.ts'];

/**
 * seedface.js, built on its own into one file: the file pages put in a `<script>` tag, so it imports nothing at load
 * (no chunk shared with the entries above, which would be a second round trip and the others' code) and only
 * `./local-faces.js` for `local`, by that name.
 */
const ELEMENTS = { entry: 'web/seedface.ts', lazy: './local-faces.js' };

/** Where the bundle goes: `<assets directory>/web`. */
export function webOutDir(): string {
  return join(assetsDir(), 'web');
}

/** Bundles, minifies and writes the browser files; returns their paths. */
export function buildWeb(): string[] {
  const outdir = webOutDir();
  const options = { absWorkingDir: ROOT, bundle: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true, outdir, write: false, logLevel: 'error' } as const;
  // the entries share chunks (the runtime and ORT) instead of carrying them each
  const shared = buildSync({ ...options, entryPoints: ENTRIES, splitting: true });
  const elements = buildSync({ ...options, entryPoints: [ELEMENTS.entry], external: [ELEMENTS.lazy] });
  const outputFiles = [...shared.outputFiles, ...elements.outputFiles];
  mkdirSync(outdir, { recursive: true });
  const require = createRequire(import.meta.url);
  const codecs = [WEBP_WASM, JPEG_WASM].map((specifier) => ({ path: join(outdir, fileName(specifier)), contents: readFileSync(require.resolve(specifier)) }));
  const headers = { path: join(assetsDir(), '_headers'), contents: assetHeadersFile() };
  // Several people build in one checkout: each file is renamed into place whole, never seen half-written.
  for (const file of [...outputFiles, ...codecs, headers]) {
    const tmp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(tmp, file.contents);
    renameSync(tmp, file.path);
  }
  const written = new Set(outputFiles.map((f) => basename(f.path)));
  // Chunks of earlier builds (their names carry content hashes) would otherwise pile up and be deployed.
  for (const stale of readdirSync(outdir)) if (stale.endsWith('.js') && !written.has(stale)) rmSync(join(outdir, stale), { force: true });
  return outputFiles.map((f) => f.path);
}

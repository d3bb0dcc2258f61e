/**
 * What goes into the MODELS bucket, in upload order: ORT's browser wasm files, then the files of {@link MODELS_DIR}
 * that the manifest names, then the manifest.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ORT_WASM_FILES, ortWasmDir } from '../../src/runtime/ort-browser';
import { MODELS_DIR, readManifest } from './models-dir';
import { ROOT } from './root';

/** One bucket object: its key, the local file holding its bytes, and its HTTP metadata. */
export interface Upload {
  key: string;
  path: string;
  type: string;
  encoding?: 'gzip';
}

/**
 * The bucket objects of {@link MODELS_DIR}, in upload order: every file the manifest names (decoders, attribute
 * directions), then `manifest.json` last, so no reader ever sees a manifest that names a missing file.
 */
export function modelUploads(): Upload[] {
  const files = readManifest().models.flatMap((m) => [
    { key: m.file, type: 'application/octet-stream' },
    ...(m.attributesFile ? [{ key: m.attributesFile, type: 'application/json' }] : []),
  ]);
  return [...files, { key: 'manifest.json', type: 'application/json' }].map((u) => ({ ...u, path: join(MODELS_DIR, u.key) }));
}

/** onnxruntime-web's version, which names the bucket folder of its browser wasm (src/routes/ort-wasm.ts). */
const ORT_WEB_VERSION: string = JSON.parse(readFileSync(join(ROOT, 'node_modules/onnxruntime-web/package.json'), 'utf8')).version;

/**
 * Bucket objects besides the models: the wasm files of the two ORT builds the browser bundle loads
 * (src/runtime/ort-browser.ts), stored gzipped (`path` is the .gz, made once per ORT version under dist/runtime/).
 * The worker passes them on as they are (src/routes/ort-wasm.ts), so no one compresses 14–27 MB per request.
 */
export function runtimeObjects(): Upload[] {
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

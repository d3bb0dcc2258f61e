/**
 * GET /models/manifest.json and GET /models/:file — the model store as browsers see it: the validated manifest and
 * the files it names (decoders, attribute directions), so web/face-generator.ts loads the same model the worker
 * serves, through the same ModelStore.
 *
 * Files are streamed from R2 as stored, not read into the isolate first (a decoder can be tens of MB): the browser's
 * ModelStore checks them against the manifest's sha256, the same check the worker makes before it uses a model.
 * A file's ETag is that sha256, and since a version name is never reused for other weights (models/README.md), its
 * URL can be cached for a year.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../http/app-env';
import { jsonError } from '../http/errors';
import { IMMUTABLE, matchesIfNoneMatch } from '../http/image-response';
import type { Manifest } from '../runtime/manifest';
import { ModelUnavailableError, type ModelStore } from '../runtime/model-store';

/** The sha256 of `file` if the manifest names it (a decoder or an attributes file), else undefined. */
function namedFile(manifest: Manifest, file: string): string | undefined {
  for (const entry of manifest.models) {
    if (entry.file === file) return entry.sha256;
    if (entry.attributesFile === file) return entry.attributesSha256;
  }
  return undefined;
}

/** The model routes for `store`. */
export function modelsRoute(store: ModelStore) {
  return new Hono<AppEnv>()
    .get('/models/manifest.json', async (c) => {
      // Browsers may see a new `current` as late as the worker does (it re-reads the manifest once a minute).
      return c.json(await store.manifest(c.env.MODELS), 200, { 'Cache-Control': 'public, max-age=60' });
    })
    .get('/models/:file', async (c) => {
      const file = c.req.param('file');
      const sha256 = namedFile(await store.manifest(c.env.MODELS), file);
      if (!sha256) return jsonError(c, 404, 'not_found', `the model manifest names no file "${file}"`);
      const headers = { 'Cache-Control': IMMUTABLE, ETag: `"${sha256}"` };
      if (matchesIfNoneMatch(c.req.header('If-None-Match'), headers.ETag)) return new Response(null, { status: 304, headers });
      const object = await c.env.MODELS.get(file);
      if (!object) throw new ModelUnavailableError(`${file} is missing from the bucket`);
      return new Response(object.body, { headers: { ...headers, 'Content-Type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream', 'Content-Length': String(object.size) } });
    });
}

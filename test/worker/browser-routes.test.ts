/** What the browser bundle loads from the worker: the demo page, its static JS, the model store files and ORT's wasm. */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { currentEntry, MODELS_DIR, readManifest } from '../../scripts/lib/models-dir';
import { runtimeObjects } from '../../scripts/lib/uploads';
import { get, sha256, useWorker } from '../support/fixtures';

const worker = useWorker({ models: true, runtime: true });
const text = (body: Uint8Array) => Buffer.from(body).toString();

/** GET over the worker's real port with node:http, which (unlike fetch) hands over the body as sent. */
function rawGet(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(new URL(path, worker().url).href, { headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

describe('browser routes', () => {
  it('GET / is the demo page: its script, labelled controls and the API list', async () => {
    const { status, body, header } = await get(worker(), '/');
    expect(status).toBe(200);
    expect(header('content-type')).toMatch(/^text\/html/);
    const html = text(body);
    expect(html).toContain('<script type="module" src="/web/demo.js">');
    expect(html).toContain('<script type="module" src="/web/seedface.js">');
    for (const id of ['seed', 'size', 'to', 'morph']) expect(html).toMatch(new RegExp(`<label for="${id}">`));
    for (const route of ['/face/', '/interpolate?', '/latent/', '/attributes', '/healthz', '/models/manifest.json']) expect(html).toContain(route);
    expect(html).toContain('<a href="/docs">API reference</a>');
    expect(html).toContain('<a href="/openapi.json">');
  });

  it('serves the bundle as static assets', async () => {
    for (const [file, type] of [['demo.js', /javascript/], ['face-generator.js', /javascript/], ['docs.js', /javascript/], ['docs.css', /^text\/css/], ['seedface.js', /javascript/], ['local-faces.js', /javascript/]] as const) {
      const { status, header, body } = await get(worker(), `/web/${file}`);
      expect(status).toBe(200);
      expect(header('content-type')).toMatch(type);
      expect(body.length).toBeGreaterThan(0);
    }
  });

  it('GET /docs is the API reference page: Swagger UI from the bundle, pointed at nothing but this worker', async () => {
    const { status, body, header } = await get(worker(), '/docs');
    expect(status).toBe(200);
    expect(header('content-type')).toMatch(/^text\/html/);
    const html = text(body);
    expect(html).toContain('<script type="module" src="/web/docs.js">');
    expect(html).toContain('<link rel="stylesheet" href="/web/docs.css">');
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('GET /models/manifest.json is the bucket manifest, cached for a minute', async () => {
    const { status, body, header } = await get(worker(), '/models/manifest.json');
    expect(status).toBe(200);
    expect(header('cache-control')).toBe('public, max-age=60');
    expect(JSON.parse(text(body))).toEqual(readManifest());
  });

  it('GET /models/<file> sends the files the manifest names, byte for byte, immutable, with the sha256 as ETag', async () => {
    const entry = currentEntry();
    const files = [[entry.file, entry.sha256], ...(entry.attributesFile ? [[entry.attributesFile, entry.attributesSha256!]] : [])];
    for (const [file, sha] of files) {
      const { status, body, header } = await get(worker(), `/models/${encodeURIComponent(file)}`);
      expect(status).toBe(200);
      expect(sha256(body)).toBe(sha);
      expect(Buffer.from(body).equals(readFileSync(join(MODELS_DIR, file)))).toBe(true);
      expect(header('etag')).toBe(`"${sha}"`);
      expect(header('cache-control')).toBe('public, max-age=31536000, immutable');
      expect((await get(worker(), `/models/${encodeURIComponent(file)}`, { 'If-None-Match': `"${sha}"` })).status).toBe(304);
    }
  });

  it('GET /models/<file> refuses files the manifest does not name', async () => {
    for (const path of ['/models/secret.onnx', `/models/${encodeURIComponent('runtime/x.wasm')}`]) {
      const { status, body } = await get(worker(), path);
      expect(status).toBe(404);
      expect(JSON.parse(text(body)).error).toBe('not_found');
    }
  });

  it('GET /runtime/… sends ORT’s wasm files: application/wasm, stored gzip passed through, immutable', async () => {
    for (const { key, path } of runtimeObjects()) {
      const { status, body, headers } = await rawGet(`/${key}`, { 'Accept-Encoding': 'gzip' });
      expect(status).toBe(200);
      expect(headers['content-type']).toBe('application/wasm');
      expect(headers['content-encoding']).toBe('gzip');
      expect(headers['cache-control']).toBe('public, max-age=31536000, immutable');
      // The stored bytes, not compressed again, and they inflate to ORT's own file.
      expect(body.equals(readFileSync(path))).toBe(true);
      expect(gunzipSync(body).equals(readFileSync(join('node_modules/onnxruntime-web/dist', key.split('/').pop()!)))).toBe(true);
      expect((await rawGet(`/${key}`, { 'If-None-Match': headers.etag! })).status).toBe(304);
    }
  });

  it('GET /runtime/… is a 404 for anything else in the bucket or outside the name pattern', async () => {
    for (const path of ['/runtime/ort-web-1.30.0/missing.wasm', '/runtime/x/ort-wasm-simd-threaded.wasm', `/runtime/ort-web-1.30.0/${encodeURIComponent('../manifest.json')}`]) {
      const { status } = await get(worker(), path);
      expect(status).toBe(404);
    }
  });
});

describe('model routes with an incomplete bucket', () => {
  const bare = useWorker({ models: false });

  it('503 with Retry-After while the manifest or a file it names is missing', async () => {
    expect((await get(bare(), '/models/manifest.json')).status).toBe(503);
    const bucket = await bare().mf.getR2Bucket('MODELS');
    await bucket.put('manifest.json', new Uint8Array(readFileSync(join(MODELS_DIR, 'manifest.json'))));
    const missing = await get(bare(), `/models/${encodeURIComponent(currentEntry().file)}`);
    expect(missing.status).toBe(503);
    expect(missing.header('retry-after')).toBe('10');
    expect(JSON.parse(text(missing.body)).error).toBe('model_unavailable');
  });
});

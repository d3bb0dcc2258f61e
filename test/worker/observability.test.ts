/**
 * The built worker in workerd: the headers that let other pages use its responses (CORP and nosniff on images, models,
 * wasm, errors and the browser bundle; a CSP and a referrer policy on the HTML pages), and its log line, one per
 * request and one line of JSON as workerd prints it, which for a seed that is an e-mail address holds only the seed's
 * keyed hash.
 */
import { describe, expect, it } from 'vitest';
import type { WorkerLogLine } from '../../scripts/lib/miniflare';
import { currentEntry } from '../../scripts/lib/models-dir';
import { runtimeObjects } from '../../scripts/lib/uploads';
import { get, useWorker } from '../support/fixtures';

const lines: WorkerLogLine[] = [];
const worker = useWorker({ models: true, runtime: true, logs: (line) => lines.push(line) });

/** Expects the headers every response of the worker carries. */
function expectResourceHeaders(header: (name: string) => string | null, label: string) {
  expect(header('cross-origin-resource-policy'), label).toBe('cross-origin');
  expect(header('x-content-type-options'), label).toBe('nosniff');
  expect(header('access-control-allow-origin'), label).toBe('*');
}

describe('headers', () => {
  it.each([
    ['a face', '/face/alice.png'],
    ['a WebP face', '/face/alice.webp?size=32'],
    ['a morph', '/interpolate?from=a&to=b&steps=2&size=16'],
    ['a decoder', `/models/${currentEntry().file}`],
    ['the manifest', '/models/manifest.json'],
    ['a 400', '/face/a?size=9'],
    ['a 404', '/nope'],
    ['the document', '/openapi.json'],
  ])('%s (%s): CORP cross-origin, nosniff, CORS', async (label, path) => {
    const { header } = await get(worker(), path);
    expectResourceHeaders(header, label);
  });

  it("ORT's wasm (from R2) and the browser bundle (static assets, through _headers) carry them too", async () => {
    const [wasm] = runtimeObjects();
    for (const path of [`/${wasm.key}`, '/web/face-generator.js', '/web/webp_enc_simd.wasm', '/web/docs.css']) {
      const { status, header } = await get(worker(), path);
      expect(status, path).toBe(200);
      expectResourceHeaders(header, path);
    }
  });

  it.each([
    ['/', "'wasm-unsafe-eval'"],
    ['/docs', 'blob:'],
  ])('%s: a Content-Security-Policy without unsafe-inline, its one extra source, no referrer', async (path, extra) => {
    const { header } = await get(worker(), path);
    const csp = header('content-security-policy')!;
    expect(csp).toMatch(/^default-src 'none'; script-src 'self'/);
    expect(csp).toContain(extra);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(header('referrer-policy')).toBe('no-referrer');
    expect(header('x-content-type-options')).toBe('nosniff');
  });
});

describe('the log line', () => {
  it('a face for an e-mail address logs one line with the route and the seed hashed, never the address', async () => {
    lines.length = 0;
    const email = 'alice.liddell@example.com';
    const { status } = await get(worker(), `/face/${encodeURIComponent(email)}.png?size=16`, { 'CF-Connecting-IP': '203.0.113.9' });
    expect(status).toBe(200);
    await expect.poll(() => lines.length).toBe(1);
    const [{ level, message }] = lines;
    expect(level).toBe('log');
    expect(message).not.toContain('\n');
    expect(JSON.parse(message)).toMatchObject({
      route: '/face/:seed',
      status: 200,
      outcome: 'miss',
      image: { cache: 'miss', format: 'png', faces: 1 },
      seeds: { seed: expect.stringMatching(/^[0-9a-f]{16}$/) },
      client: expect.stringMatching(/^[0-9a-f]{16}$/),
      hashKey: 'isolate',
    });
    for (const secret of [email, encodeURIComponent(email), 'alice', '203.0.113.9']) expect(message).not.toContain(secret);
  });
});

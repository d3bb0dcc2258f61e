import { describe, expect, it } from 'vitest';
import { get, useWorker } from '../support/fixtures';

const worker = useWorker({ models: true });
const long = 'x'.repeat(257);
const longUtf8 = 'é'.repeat(129); // 258 bytes in 129 characters

describe('bad input is a 400 JSON error, never a 500', () => {
  it.each([
    ['/face/a?size=15', 'invalid_query', 'size'],
    ['/face/a?size=513', 'invalid_query', 'size'],
    ['/face/a?size=12.5', 'invalid_query', 'size'],
    ['/face/a?size=1e2', 'invalid_query', 'size'],
    ['/face/a?size=-20', 'invalid_query', 'size'],
    ['/face/a?size=0x20', 'invalid_query', 'size'],
    ['/face/a?size=', 'invalid_query', 'size'],
    ['/face/a?size=99999999999999999999', 'invalid_query', 'size'],
    ['/face/a?size=64&size=32', 'invalid_query', 'size'],
    ['/face/a?shape=oval', 'invalid_query', 'shape'],
    ['/face/a?v=BAD!', 'invalid_query', 'v'],
    ['/face/a?v=no-such-version', 'unknown_version', 'no-such-version'],
    ['/face/a?colour=red', 'invalid_query', 'colour'],
    [`/face/${long}`, 'invalid_param', 'seed'],
    [`/face/${encodeURIComponent(longUtf8)}.png`, 'invalid_param', 'seed'],
    ['/face/.png', 'invalid_param', 'seed'],
    ['/interpolate?to=b', 'invalid_query', 'from'],
    ['/interpolate?from=a', 'invalid_query', 'to'],
    ['/interpolate?from=a&to=b&steps=1', 'invalid_query', 'steps'],
    ['/interpolate?from=a&to=b&steps=17', 'invalid_query', 'steps'],
    ['/interpolate?from=a&to=b&steps=2.5', 'invalid_query', 'steps'],
    ['/interpolate?from=a&to=b&size=257', 'invalid_query', 'size'],
    ['/interpolate?from=a&to=b&size=8', 'invalid_query', 'size'],
    ['/interpolate?from=a&to=b&format=gif', 'invalid_query', 'format'],
    [`/interpolate?from=${long}&to=b`, 'invalid_query', 'from'],
    ['/interpolate?from=&to=b', 'invalid_query', 'from'],
    ['/interpolate?from=a&to=b&v=nope', 'unknown_version', 'nope'],
    [`/latent/${long}`, 'invalid_param', 'seed'],
    ['/latent/a?v=nope', 'unknown_version', 'nope'],
    ['/latent/a?dim=3', 'invalid_query', 'dim'],
  ])('%s → 400 %s', async (path, error, mention) => {
    const { status, body, header } = await get(worker(), path);
    expect(status).toBe(400);
    expect(header('content-type')).toMatch(/^application\/json/);
    const json = JSON.parse(Buffer.from(body).toString());
    expect(json.error).toBe(error);
    expect(typeof json.detail).toBe('string');
    expect(json.detail).toContain(mention);
    expect(header('access-control-allow-origin')).toBe('*');
  });

  it.each(['/nope', '/face', '/face/a/b', '/latent', '/face/a.png/x'])('%s → 404 JSON', async (path) => {
    const { status, body, header } = await get(worker(), path);
    expect(status).toBe(404);
    expect(header('content-type')).toMatch(/^application\/json/);
    expect(header('access-control-allow-origin')).toBe('*');
    expect(JSON.parse(Buffer.from(body).toString())).toMatchObject({ error: 'not_found', detail: expect.any(String) });
  });

  it('other methods on image routes → 404 JSON', async () => {
    const response = await worker().fetch('/face/a', { method: 'POST' });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'not_found' });
  });

  it("GET / is a usage page and /healthz describes the model and the size of ORT's wasm memory", async () => {
    const home = await get(worker(), '/');
    expect(home.status).toBe(200);
    expect(home.header('content-type')).toMatch(/^text\/html/);
    expect(Buffer.from(home.body).toString()).toContain('/face/');
    const health = await get(worker(), '/healthz');
    expect(health.status).toBe(200);
    const body = JSON.parse(Buffer.from(health.body).toString());
    expect(body).toMatchObject({ status: 'ok', model: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    // ORT's linear memory, found through the instantiate hook: at least the 64 KiB page a wasm memory starts with.
    expect(body.memory.wasmBytes).toBeGreaterThanOrEqual(65536);
    expect(Number.isInteger(body.memory.wasmBytes)).toBe(true);
  });
});

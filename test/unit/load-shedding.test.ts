import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { nodeEncoders } from '../../scripts/lib/node-codecs';
import { createApp } from '../../src/app';
import { MAX_IN_FLIGHT, shedLoad } from '../../src/http/load-shedding';
import type { ModelStore } from '../../src/runtime/model-store';

/** A promise and the function that settles it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

async function expectOverloaded(response: Response) {
  expect(response.status).toBe(503);
  expect(response.headers.get('retry-after')).toBe('1');
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(await response.json()).toEqual({ error: 'overloaded', detail: expect.stringContaining('limit') });
}

describe('shedLoad', () => {
  it('admits `limit` requests at once, refuses the next with the 503, and frees a slot when a request ends, failed or not', async () => {
    const { opened, open } = gate();
    const app = new Hono()
      .use(shedLoad(2))
      .get('/wait', async (c) => {
        await opened;
        return c.text('done');
      })
      .get('/fail', () => {
        throw new Error('boom');
      })
      .onError((_, c) => c.text('failed', 500));
    const admitted = [app.request('/wait'), app.request('/wait')];
    await expectOverloaded(await app.request('/wait'));
    open();
    for (const response of await Promise.all(admitted)) expect(response.status).toBe(200);
    expect((await app.request('/fail')).status).toBe(500);
    expect((await Promise.all([app.request('/wait'), app.request('/wait')])).map((r) => r.status)).toEqual([200, 200]);
  });
});

describe('the app sheds image requests past MAX_IN_FLIGHT', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it('face and interpolate share one count; the refused request gets the 503 with CORS and nothing is cached for it', async () => {
    const imageSize = 4, latentSize = 2;
    const entry = { version: '1', sha256: 'a'.repeat(64), latentSize, imageSize, valueRange: [-1, 1] };
    const { opened, open } = gate();
    const decoder = {
      async decodeTimed(latents: Float32Array[]) {
        await opened;
        return { planes: latents.map(() => new Float32Array(3 * imageSize * imageSize)), started: performance.now() };
      },
    };
    const store = { entry: async () => entry, model: async () => ({ entry, decoder, attributes: new Map() }) } as unknown as ModelStore;
    const put = vi.fn(async () => undefined);
    vi.stubGlobal('caches', { default: { match: async () => undefined, put } });
    const app = createApp(store, () => 0, nodeEncoders());
    // one log line per request (src/http/observability.ts): 130 of them would bury the test's output
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const request = (path: string) => app.request(path, undefined, {}, { waitUntil: () => undefined, passThroughOnException: () => undefined, props: {} });

    const admitted = Array.from({ length: MAX_IN_FLIGHT }, (_, i) => request(i % 2 ? `/face/s${i}.png?size=16` : `/interpolate?from=a${i}&to=b&steps=2&size=16`));
    const refused = await request('/face/one-too-many.png');
    await expectOverloaded(refused);
    expect(refused.headers.get('access-control-allow-origin')).toBe('*');
    open();
    for (const response of await Promise.all(admitted)) expect(response.status).toBe(200);
    expect(put).toHaveBeenCalledTimes(MAX_IN_FLIGHT);
    expect((await request('/face/one-too-many.png')).status).toBe(200);
  });
});

/**
 * The request log line and data point (src/http/observability.ts, src/http/metrics.ts) through the app in Node, with
 * a stub model store and Cache API: the line's fields for a hit, a miss, a 400, a 429 and a 503 (and a 500's stack),
 * the data points a fake Analytics Engine binding receives, and, for arbitrary seeds and client addresses, that neither
 * reaches a line or a data point in any spelling.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nodeEncoders } from '../../scripts/lib/node-codecs';
import { createApp } from '../../src/app';
import { dataPoint, writeDataPoint } from '../../src/http/metrics';
import { redact, serverTimings, spellings, type RequestRecord } from '../../src/http/observability';
import { clientKey } from '../../src/http/rate-limit';
import { ModelUnavailableError, type ModelStore } from '../../src/runtime/model-store';

const KEY = 'test-log-hash-key';
const IP = '198.51.100.7';
const RAY = '8f1c2b3a4d5e6f70-SJC';

/** HMAC-SHA-256 of `value` under `key`, its first 16 hex digits: the line's hashes, computed independently. */
const hmac = (key: string, value: string) => createHmac('sha256', key).update(value).digest('hex').slice(0, 16);

/** A model store of one 4 px model whose decoder draws grey, or one that fails as an empty bucket does. */
function stubStore(broken = false): ModelStore {
  const imageSize = 4, latentSize = 2;
  const entry = { version: '7', sha256: 'a'.repeat(64), latentSize, imageSize, valueRange: [-1, 1] };
  const decoder = {
    async decodeTimed(latents: Float32Array[]) {
      return { planes: latents.map(() => new Float32Array(3 * imageSize * imageSize)), started: performance.now() };
    },
  };
  const fail = async () => {
    throw new ModelUnavailableError('manifest.json is missing from the bucket');
  };
  return (broken ? { entry: fail, model: fail } : { entry: async () => entry, model: async () => ({ entry, decoder, attributes: new Map() }) }) as unknown as ModelStore;
}

/** The Cache API as the app sees it: `match` answers from `stored`, or throws `failure` (a broken cache). */
function stubCache(stored = new Map<string, Response>(), failure?: (url: string) => Error) {
  vi.stubGlobal('caches', {
    default: {
      match: async (key: Request) => {
        if (failure) throw failure(key.url);
        return stored.get(key.url)?.clone();
      },
      put: async (key: Request, response: Response) => void stored.set(key.url, response),
    },
  });
  return stored;
}

interface Bindings {
  LOG_HASH_KEY?: string;
  METRICS?: AnalyticsEngineDataset;
  RATE_LIMITER?: RateLimit;
  RATE_LIMIT?: unknown;
}

/** The app over `store`, and a request to it with `headers` and `env`, its waitUntil work awaited. */
function app(store = stubStore()) {
  const worker = createApp(store, () => 0, nodeEncoders());
  return async (path: string, env: Bindings = { LOG_HASH_KEY: KEY }, headers: Record<string, string> = { 'CF-Connecting-IP': IP, 'CF-Ray': RAY }) => {
    const pending: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => void pending.push(p), passThroughOnException: () => undefined, props: {} };
    const response = await worker.request(path, { headers }, env, ctx);
    await Promise.all(pending);
    return response;
  };
}

/** Every object the app logged, with the console method it used. */
function captureLog() {
  const lines: { level: 'log' | 'warn' | 'error'; record: RequestRecord }[] = [];
  for (const level of ['log', 'warn', 'error'] as const) {
    vi.spyOn(console, level).mockImplementation((record: RequestRecord) => void lines.push({ level, record }));
  }
  return lines;
}

/** A fake Analytics Engine binding that keeps what it is given. */
function fakeDataset() {
  const points: AnalyticsEngineDataPoint[] = [];
  return { dataset: { writeDataPoint: (p?: AnalyticsEngineDataPoint) => void points.push(p!) } as AnalyticsEngineDataset, points };
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('the log line: one per request, its fields', () => {
  let lines: ReturnType<typeof captureLog>;
  beforeEach(() => {
    lines = captureLog();
  });

  it('a miss: the route, the image, the stages, the hashes, the ray id; nothing of the seed or the address', async () => {
    stubCache();
    const response = await app()('/face/alice%40example.com.png?size=16');
    expect(response.status).toBe(200);
    expect(lines).toHaveLength(1);
    const { level, record } = lines[0];
    expect(level).toBe('log');
    expect(record).toMatchObject({
      message: 'GET /face/:seed 200 miss',
      method: 'GET',
      route: '/face/:seed',
      status: 200,
      outcome: 'miss',
      image: { cache: 'miss', model: '7', format: 'png', faces: 1, bytes: (await response.arrayBuffer()).byteLength },
      pixels: { size: 16 },
      rateLimited: false,
      ray: RAY,
      seeds: { seed: hmac(KEY, 'alice@example.com') },
      client: hmac(KEY, IP),
      hashKey: 'secret',
    });
    expect(Object.keys(record.ms)).toEqual(expect.arrayContaining(['queue', 'decode', 'resize', 'encode', 'total']));
    expect(record.error).toBeUndefined();
    expect(record.stack).toBeUndefined();
    expect(JSON.stringify(record)).not.toMatch(/alice|example|198\.51/);
  });

  it('a hit: served from the cache, no decode stage, the bytes the cache stored', async () => {
    const get = app();
    stubCache();
    await get('/face/bob.webp?size=16');
    lines.length = 0;
    const response = await get('/face/bob.webp?size=16');
    expect(response.headers.get('server-timing')).toContain('cache;desc="hit"');
    expect(lines).toHaveLength(1);
    const { record } = lines[0];
    expect(record).toMatchObject({ route: '/face/:seed', status: 200, outcome: 'hit', image: { cache: 'hit', format: 'webp', model: '7' } });
    expect(record.ms.decode).toBeUndefined();
    expect(record.ms.total).toBeGreaterThanOrEqual(0);
  });

  it('a 400: the error code, and the seed hashed since the path was valid; the detail (which quotes the query) is not logged', async () => {
    stubCache();
    const response = await app()('/face/carol?size=9999&colour=red');
    expect(response.status).toBe(400);
    const { level, record } = lines[0];
    expect(level).toBe('log');
    expect(record).toMatchObject({ route: '/face/:seed', status: 400, outcome: 'invalid_query', error: 'invalid_query', rateLimited: false, seeds: { seed: hmac(KEY, 'carol') } });
    expect(record.image).toBeUndefined();
    expect(JSON.stringify(record)).not.toMatch(/colour|9999/);
  });

  it('a 429: rate-limited, a cache miss refused before rendering, both seeds of a morph hashed', async () => {
    stubCache();
    const env = { LOG_HASH_KEY: KEY, RATE_LIMITER: { limit: async () => ({ success: false }) } as RateLimit, RATE_LIMIT: { limit: 300, period: 60 } };
    const response = await app()('/interpolate?from=dave&to=erin&steps=3&size=16', env);
    expect(response.status).toBe(429);
    const { record } = lines[0];
    expect(record).toMatchObject({
      route: '/interpolate',
      status: 429,
      outcome: 'rate_limited',
      error: 'rate_limited',
      rateLimited: true,
      image: { cache: 'miss', faces: 3 },
      seeds: { from: hmac(KEY, 'dave'), to: hmac(KEY, 'erin') },
      client: hmac(KEY, IP),
    });
    expect(record.image?.bytes).toBeUndefined();
  });

  it('a 503: a warning with the error code, for a model that cannot be loaded', async () => {
    stubCache();
    const response = await app(stubStore(true))('/face/frank.png');
    expect(response.status).toBe(503);
    const { level, record } = lines[0];
    expect(level).toBe('warn');
    expect(record).toMatchObject({ route: '/face/:seed', status: 503, outcome: 'model_unavailable', error: 'model_unavailable', rateLimited: false });
    expect(record.stack).toBeUndefined();
  });

  it('a 500: an error line with the stack, the seed cut out of the message that quoted it', async () => {
    stubCache(undefined, (url) => new TypeError(`cache lookup failed for ${url}`));
    const response = await app()('/face/grace%40example.com?size=16');
    expect(response.status).toBe(500);
    const { level, record } = lines[0];
    expect(level).toBe('error');
    expect(record).toMatchObject({ status: 500, error: 'internal' });
    expect(record.stack).toMatch(/^TypeError: cache lookup failed for .*\[redacted\]/);
    expect(record.stack).not.toMatch(/grace/);
  });

  it('no route: null, and the 404 code', async () => {
    await app()('/nope/grace');
    expect(lines[0].record).toMatchObject({ route: null, status: 404, outcome: 'not_found', seeds: {} });
    expect(JSON.stringify(lines[0].record)).not.toContain('grace');
  });

  it('without the secret, an isolate key: the same value hashes alike within the isolate, unlike under the secret', async () => {
    stubCache();
    const get = app();
    await get('/latent/heidi', {});
    await get('/latent/heidi', {});
    const [a, b] = lines.map((l) => l.record);
    expect(a.hashKey).toBe('isolate');
    expect(a.seeds.seed).toMatch(/^[0-9a-f]{16}$/);
    expect(b.seeds.seed).toBe(a.seeds.seed);
    expect(a.seeds.seed).not.toBe(hmac(KEY, 'heidi'));
    expect(a.client).toBe(b.client);
  });

  it('a ray id that is not Cloudflare\'s form, and a missing client address, are left out', async () => {
    await app()('/healthz', { LOG_HASH_KEY: KEY }, { 'CF-Ray': 'ivan@example.com' });
    const { record } = lines[0];
    expect(record.ray).toBeUndefined();
    expect(record.client).toBeUndefined();
  });
});

describe('metrics: one data point per request on the METRICS binding', () => {
  beforeEach(() => captureLog());

  it('the fake binding gets each request\'s route, outcome, format, model, status, faces, bytes and stages, in the documented fields', async () => {
    stubCache();
    const { dataset, points } = fakeDataset();
    const get = app();
    const env = { LOG_HASH_KEY: KEY, METRICS: dataset };
    const miss = await get('/face/judy.jpg?size=16', env);
    const bytes = (await miss.arrayBuffer()).byteLength;
    await get('/face/judy.jpg?size=16', env);
    await get('/face/judy?size=1', env);
    expect(points).toHaveLength(3);
    const [missPoint, hitPoint, badPoint] = points;
    expect(missPoint.indexes).toEqual(['miss']);
    expect(missPoint.blobs).toEqual(['/face/:seed', 'miss', 'jpeg', '7']);
    expect(missPoint.doubles?.slice(0, 3)).toEqual([200, 1, bytes]);
    expect(missPoint.doubles).toHaveLength(8);
    expect(missPoint.doubles?.[7]).toBeGreaterThanOrEqual(0);
    expect(hitPoint.indexes).toEqual(['hit']);
    expect(hitPoint.blobs?.slice(0, 2)).toEqual(['/face/:seed', 'hit']);
    expect(badPoint).toEqual({ indexes: ['invalid_query'], blobs: ['/face/:seed', 'invalid_query', '', ''], doubles: [400, 0, 0, 0, 0, 0, 0, expect.any(Number)] });
  });

  it('maps a record\'s stages by name, in order, and writes nothing without a binding', () => {
    const record = { route: '/interpolate', outcome: 'miss', status: 200, image: { cache: 'miss', model: '5', format: 'png', faces: 8, bytes: 1000 }, ms: { encode: 4, decode: 2, total: 9, queue: 1, resize: 3 } } as unknown as RequestRecord;
    expect(dataPoint(record)).toEqual({ indexes: ['miss'], blobs: ['/interpolate', 'miss', 'png', '5'], doubles: [200, 8, 1000, 1, 2, 3, 4, 9] });
    expect(() => writeDataPoint(undefined, record)).not.toThrow();
    const { dataset, points } = fakeDataset();
    writeDataPoint(dataset, record);
    expect(points).toEqual([dataPoint(record)]);
  });
});

describe('helpers', () => {
  it('serverTimings reads each duration by name and skips metrics without one', () => {
    expect(serverTimings('total;dur=6.2;desc="Total Response Time",decode;dur=2.6,cache;desc="hit"')).toEqual({ total: 6.2, decode: 2.6 });
    expect(serverTimings(null)).toEqual({});
  });

  it('redact cuts every spelling of a secret, and leaves values too short to identify anyone', () => {
    expect(redact('GET /face/j%C3%BCrgen%40x.org?from=j%C3%BCrgen%40x.org and jürgen@x.org', ['jürgen@x.org'])).toBe('GET /face/[redacted]?from=[redacted] and [redacted]');
    expect(redact('at a.js:1:2', ['a'])).toBe('at a.js:1:2');
  });
});

describe('no line and no data point holds a seed or a client address, for arbitrary ones', () => {
  /** A seed the worker takes (1–256 UTF-8 bytes), long enough that finding it in a line is no accident. */
  const seed = fc.oneof(
    fc.emailAddress(),
    // no lone surrogates (\p{Cs} in a u-mode pattern): no URL can carry one
    fc.string({ unit: 'binary', minLength: 8, maxLength: 64 }).filter((s) => !/\p{Cs}/u.test(s) && new TextEncoder().encode(s).length <= 256),
  );
  /** A client address; the shortest (`::`, `::1`) are left out, being too short not to occur in any text. */
  const address = fc.oneof(fc.ipV4(), fc.ipV6()).filter((ip) => ip.length >= 7);
  /** Each request shape that carries seeds, and two whose cache fails (a 500, whose stack quotes the cache key's URL). */
  const shape = fc.constantFrom('face', 'latent', 'interpolate', 'bad-query', 'broken-cache', 'broken-cache-interpolate');

  it('holds for the line (log, warn or error, stack included) and the data point', async () => {
    await fc.assert(
      fc.asyncProperty(seed, seed, address, shape, async (a, b, ip, kind) => {
        const lines = captureLog();
        stubCache(undefined, kind.startsWith('broken-cache') ? (url) => new Error(`no cache for ${url}`) : undefined);
        const { dataset, points } = fakeDataset();
        const interpolate = `/interpolate?${new URLSearchParams({ from: a, to: b, steps: '2', size: '16' })}`;
        const paths = {
          face: `/face/${encodeURIComponent(a)}.png?size=16`,
          latent: `/latent/${encodeURIComponent(a)}`,
          interpolate,
          'bad-query': `/face/${encodeURIComponent(a)}?size=7`,
          'broken-cache': `/face/${encodeURIComponent(a)}.png?size=16`,
          'broken-cache-interpolate': interpolate,
        };
        await app()(paths[kind], { LOG_HASH_KEY: KEY, METRICS: dataset }, { 'CF-Connecting-IP': ip });
        expect(lines).toHaveLength(1);
        expect(points).toHaveLength(1);
        const written = `${JSON.stringify(lines[0].record)}\n${JSON.stringify(points[0])}`;
        for (const secret of [a, b, ip, clientKey(ip)]) {
          for (const spelling of [...spellings(secret), encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]) expect(written).not.toContain(spelling);
        }
        vi.restoreAllMocks();
        vi.unstubAllGlobals();
      }),
      { numRuns: 150 },
    );
  });
});

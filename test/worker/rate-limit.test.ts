/**
 * The per-client render limit (src/http/rate-limit.ts) through Miniflare's simulation of the Workers Rate Limiting
 * binding, with a limit of LIMIT faces rendered per minute for this file; clients are told apart by `CF-Connecting-IP`,
 * which Miniflare passes on when the request carries it. Every test uses its own client addresses, so their counters
 * never meet. Without the binding the worker renders unlimited and says so.
 */
import { describe, expect, it } from 'vitest';
import type { RunningWorker } from '../../scripts/lib/miniflare';
import { get, useWorker } from '../support/fixtures';

const LIMIT = 4;
const PERIOD = 60;

/** GET `path` as client `ip`, with more headers if given. */
const as = (worker: RunningWorker, ip: string, path: string, headers: Record<string, string> = {}) =>
  get(worker, path, { 'CF-Connecting-IP': ip, ...headers });

/**
 * Miniflare counts in windows aligned to the period (a new minute starts from zero): waits until at least `needMs`
 * of the current window is left, so that a test's requests fall into one window.
 */
async function roomInWindow(needMs = 15_000): Promise<void> {
  const left = PERIOD * 1000 - (Date.now() % (PERIOD * 1000));
  if (left < needMs) await new Promise((r) => setTimeout(r, left + 100));
}

/** A path no test has asked for: a cache miss that renders (16 px, cheap). */
let fresh = 0;
const newFace = () => `/face/rate-${Date.now().toString(36)}-${fresh++}?size=16`;

/** Expects the limiter's 429: JSON, Retry-After of the period, no-store, CORS. */
async function expectLimited(response: Awaited<ReturnType<typeof get>>) {
  expect(response.status).toBe(429);
  expect(response.header('content-type')).toMatch(/^application\/json/);
  expect(response.header('retry-after')).toBe(String(PERIOD));
  expect(response.header('cache-control')).toBe('no-store');
  expect(response.header('access-control-allow-origin')).toBe('*');
  expect(JSON.parse(new TextDecoder().decode(response.body))).toEqual({
    error: 'rate_limited',
    detail: expect.stringContaining(`more than ${LIMIT} uncached faces in ${PERIOD} s`),
  });
}

describe(`with the rate-limit binding (${LIMIT} renders per ${PERIOD} s per client)`, () => {
  const worker = useWorker({ models: true, rateLimit: { limit: LIMIT, period: PERIOD } });

  it('/healthz reports the limiter and its numbers', async () => {
    const health = JSON.parse(new TextDecoder().decode((await get(worker(), '/healthz')).body));
    expect(health.rateLimit).toMatchObject({ binding: 'RATE_LIMITER', limit: LIMIT, periodSeconds: PERIOD });
  });

  it('a burst of distinct seeds from one client renders LIMIT and answers the rest with 429; another client is unaffected', async () => {
    await roomInWindow();
    const burst = await Promise.all(Array.from({ length: LIMIT + 6 }, () => as(worker(), '198.51.100.1', newFace())));
    const statuses = burst.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(LIMIT).fill(200), ...Array(6).fill(429)]);
    for (const r of burst.filter((r) => r.status === 429)) await expectLimited(r);
    // Still limited for the rest of the window, on either image route.
    await expectLimited(await as(worker(), '198.51.100.1', newFace()));
    await expectLimited(await as(worker(), '198.51.100.1', `/interpolate?from=${Date.now()}&to=b&steps=2&size=16`));
    // Another address renders as usual.
    const other = await as(worker(), '198.51.100.2', newFace());
    expect(other.status).toBe(200);
    expect(other.header('content-type')).toBe('image/png');
  });

  it('cache hits and 304s are never limited, for a client over its limit', async () => {
    await roomInWindow();
    const client = '198.51.100.3';
    const cached = newFace();
    const first = await as(worker(), client, cached);
    expect(first.status).toBe(200);
    // cache.put runs in waitUntil; other clients poll until it is stored, one address per poll, so no poll is limited.
    for (let i = 0; i < 20 && !(await as(worker(), `203.0.113.${i}`, cached)).header('server-timing')?.includes('cache;desc="hit"'); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    for (let i = 1; i < LIMIT; i++) expect((await as(worker(), client, newFace())).status).toBe(200);
    await expectLimited(await as(worker(), client, newFace()));

    const hit = await as(worker(), client, cached);
    expect(hit.status).toBe(200);
    expect(hit.header('server-timing')).toMatch(/^cache;desc="hit"/);
    expect(Buffer.from(hit.body).equals(Buffer.from(first.body))).toBe(true);
    // Conditional requests are answered before the cache and the limiter: for a cached face and an uncached one.
    expect((await as(worker(), client, cached, { 'If-None-Match': first.header('etag')! })).status).toBe(304);
    expect((await as(worker(), client, newFace(), { 'If-None-Match': '*' })).status).toBe(304);
    await expectLimited(await as(worker(), client, newFace()));
  });

  it('the 429 is never cached: the same URL renders for another client', async () => {
    await roomInWindow();
    const client = '198.51.100.5';
    for (let i = 0; i < LIMIT; i++) expect((await as(worker(), client, newFace())).status).toBe(200);
    const refused = newFace();
    await expectLimited(await as(worker(), client, refused));
    const other = await as(worker(), '198.51.100.6', refused);
    expect(other.status).toBe(200);
    expect(other.header('content-type')).toBe('image/png');
    expect(other.header('server-timing')).toMatch(/decode/);
  });

  it('an interpolation counts once per face it decodes', async () => {
    await roomInWindow();
    const interpolation = (steps: number) => `/interpolate?from=${Date.now()}-${fresh++}&to=b&steps=${steps}&size=16`;
    expect((await as(worker(), '198.51.100.7', interpolation(LIMIT))).status).toBe(200);
    await expectLimited(await as(worker(), '198.51.100.7', newFace()));
    await expectLimited(await as(worker(), '198.51.100.8', interpolation(LIMIT + 1)));
    expect((await as(worker(), '198.51.100.9', interpolation(LIMIT - 1))).status).toBe(200);
    expect((await as(worker(), '198.51.100.9', newFace())).status).toBe(200);
    await expectLimited(await as(worker(), '198.51.100.9', newFace()));
  });

  it('WebP and JPEG cache misses count like PNG ones; a refused format combination (400) counts nothing', async () => {
    await roomInWindow();
    const client = '198.51.100.10';
    for (const refused of ['/face/x.jpg?shape=circle', '/face/x.webp?format=jpeg', '/face/x.png?quality=50']) {
      for (let i = 0; i < LIMIT; i++) expect((await as(worker(), client, refused)).status, refused).toBe(400);
    }
    const lossy = (extension: string) => newFace().replace('?', `.${extension}?`);
    for (const [extension, type] of [['webp', 'image/webp'], ['jpg', 'image/jpeg'], ['webp', 'image/webp'], ['jpeg', 'image/jpeg']]) {
      const face = await as(worker(), client, lossy(extension));
      expect([face.status, face.header('content-type')]).toEqual([200, type]);
    }
    await expectLimited(await as(worker(), client, lossy('webp')));
    await expectLimited(await as(worker(), client, `/interpolate?from=${Date.now()}&to=b&steps=2&size=16&format=jpeg`));
  });

  it('an IPv6 client counts by its /64: another address in it shares the counter, one outside it does not', async () => {
    await roomInWindow();
    for (let i = 0; i < LIMIT; i++) expect((await as(worker(), '2001:db8:1:2::1', newFace())).status).toBe(200);
    await expectLimited(await as(worker(), '2001:db8:1:2:ffff::9', newFace()));
    expect((await as(worker(), '2001:db8:1:3::1', newFace())).status).toBe(200);
  });
});

describe('without the binding', () => {
  const worker = useWorker({ models: true });

  it('renders unlimited and says so in /healthz', async () => {
    const health = JSON.parse(new TextDecoder().decode((await get(worker(), '/healthz')).body));
    expect(health.rateLimit).toBe('unlimited');
    const burst = await Promise.all(Array.from({ length: 3 * LIMIT }, () => as(worker(), '198.51.100.1', newFace())));
    expect(burst.map((r) => r.status)).toEqual(Array(3 * LIMIT).fill(200));
  });
});

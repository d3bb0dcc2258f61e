import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startWorker, type RunningWorker } from '../../scripts/lib/miniflare';
import { currentEntry, MODELS_DIR, readManifest } from '../../scripts/lib/models-dir';
import { decodePng } from '../../scripts/lib/png-reader';
import { get, sha256, useWorker } from '../support/fixtures';

/** The current model's attribute names and directions file, as the training side wrote them. */
function attributesFile(): { attributes: Record<string, { positive: string; scale: number; direction: number[] }> } {
  const { attributesFile: file } = currentEntry();
  if (!file) throw new Error('the current model in models/ has no attributes; these tests need one that does');
  return JSON.parse(readFileSync(join(MODELS_DIR, file), 'utf8'));
}
const names = () => currentEntry().attributes ?? [];

/** Mean absolute difference per RGB channel value between two PNGs' first frames. */
function meanDiff(a: Uint8Array, b: Uint8Array): number {
  const [x, y] = [decodePng(a).frames[0], decodePng(b).frames[0]];
  let sum = 0, count = 0;
  for (let i = 0; i < x.length; i++) {
    if (i % 4 === 3) continue;
    sum += Math.abs(x[i] - y[i]);
    count++;
  }
  return sum / count;
}

const json = (body: Uint8Array) => JSON.parse(Buffer.from(body).toString());

describe('attribute control', () => {
  const worker = useWorker({ models: true });

  it('GET /attributes lists the model’s attributes with what positive strengths do and the range', async () => {
    for (const path of ['/attributes', `/attributes?v=${currentEntry().version}`]) {
      const { status, body, header } = await get(worker(), path);
      expect(status, path).toBe(200);
      expect(header('content-type')).toMatch(/^application\/json/);
      expect(header('access-control-allow-origin')).toBe('*');
      const listing = json(body);
      expect(listing.model).toBe(currentEntry().version);
      expect(listing.attributes.map((a: { name: string }) => a.name).sort()).toEqual([...names()].sort());
      for (const a of listing.attributes) {
        expect(a.positive).toBe(attributesFile().attributes[a.name].positive);
        expect(a.range).toEqual([-2, 2]);
      }
    }
  });

  it('every attribute changes the face, and opposite strengths change it in different ways', async () => {
    const base = (await get(worker(), '/face/effect?size=32')).body;
    for (const name of names()) {
      const plus = await get(worker(), `/face/effect?size=32&${name}=2`);
      const minus = await get(worker(), `/face/effect?size=32&${name}=-2`);
      expect(plus.status, name).toBe(200);
      expect(plus.header('etag'), name).not.toBe((await get(worker(), '/face/effect?size=32')).header('etag'));
      // A mean change of several grey levels per channel: visible, not float noise.
      expect(meanDiff(base, plus.body), name).toBeGreaterThan(2);
      expect(meanDiff(plus.body, minus.body), name).toBeGreaterThan(meanDiff(base, plus.body));
    }
  });

  it('equal strengths in any spelling or order share one ETag and the same bytes; 0 is the unshifted face', async () => {
    const [a, b] = names();
    const canonical = await get(worker(), `/face/spell?size=24&${a}=0.8&${b}=-0.5`);
    expect(canonical.status).toBe(200);
    expect(canonical.header('etag')).toMatch(new RegExp(`^"[0-9a-f]{16}-[0-9a-f]{32}-24-square-[0-9a-f]{8}:${a}=0.8;${b}=-0.5"$`));
    for (const q of [`${b}=-.50&${a}=%2B0.800`, `${b}=-0.5&${a}=0.8&${names()[2]}=0`, `${a}=00.8000&${b}=-0.500`]) {
      const r = await get(worker(), `/face/spell.png?${q}&size=24&shape=square`);
      expect(r.header('etag'), q).toBe(canonical.header('etag'));
      expect(sha256(r.body), q).toBe(sha256(canonical.body));
    }
    const plain = await get(worker(), '/face/spell?size=24');
    for (const q of [`${a}=0`, `${a}=-0`, `${a}=0.000&${b}=%2B0`]) {
      const r = await get(worker(), `/face/spell?size=24&${q}`);
      expect(r.header('etag'), q).toBe(plain.header('etag'));
      expect(sha256(r.body), q).toBe(sha256(plain.body));
    }
  });

  it('a differently spelled request is served from the cache entry of the first', async () => {
    const [a, b] = names();
    const first = await get(worker(), `/face/cache-spell?size=20&${a}=1&${b}=-1.5`);
    let hit = await get(worker(), `/face/cache-spell?${b}=-1.50&${a}=1.0&size=20`);
    for (let i = 0; i < 20 && !hit.header('server-timing')?.includes('cache;desc="hit"'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      hit = await get(worker(), `/face/cache-spell?${b}=-1.50&${a}=1.0&size=20`);
    }
    expect(hit.header('server-timing')).toMatch(/^cache;desc="hit"/);
    expect(sha256(hit.body)).toBe(sha256(first.body));
  });

  it('answers 304 to the shifted face’s ETag, alone or in a list', async () => {
    const [a, b] = names();
    const etag = (await get(worker(), `/face/cond?size=16&${a}=1&${b}=-2`)).header('etag')!;
    for (const inm of [etag, `W/${etag}`, `"other", ${etag}`]) {
      const r = await get(worker(), `/face/cond?${b}=-2.0&${a}=1.000&size=16`, { 'If-None-Match': inm });
      expect(r.status, inm).toBe(304);
    }
  });

  it('/latent returns the shifted latent: z + Σ strength·scale·direction, summed in float64 by name, then float32', async () => {
    const [a, b] = names();
    const file = attributesFile().attributes;
    const plain = json((await get(worker(), '/latent/shift')).body);
    const shifted = json((await get(worker(), `/latent/shift?${b}=-1.25&${a}=0.5`)).body);
    expect(shifted.attributes).toEqual({ [a]: 0.5, [b]: -1.25 });
    const want = plain.latent.map((z: number, i: number) => Math.fround(z + 0.5 * file[a].scale * file[a].direction[i] + -1.25 * file[b].scale * file[b].direction[i]));
    expect(shifted.latent).toEqual(want);
    const zero = json((await get(worker(), `/latent/shift?${a}=0`)).body);
    expect(zero).toEqual(plain);
    expect(zero.attributes).toBeUndefined();
  });

  it('/interpolate shifts both ends: its end tiles are the shifted faces', async () => {
    const q = `${names()[0]}=1.5&${names()[1]}=-1`;
    const strip = decodePng((await get(worker(), `/interpolate?from=ann&to=ben&steps=2&size=16&${q}`)).body).frames[0];
    const plain = decodePng((await get(worker(), '/interpolate?from=ann&to=ben&steps=2&size=16')).body).frames[0];
    for (const [i, seed] of [[0, 'ann'], [1, 'ben']] as const) {
      const face = decodePng((await get(worker(), `/face/${seed}?size=16&${q}`)).body).frames[0];
      let worst = 0, changed = 0;
      for (let y = 0; y < 16; y++) {
        for (let x = 0; x < 16 * 4; x++) {
          const s = (y * 32 * 4) + i * 16 * 4 + x;
          worst = Math.max(worst, Math.abs(strip[s] - face[y * 64 + x]));
          changed += Number(strip[s] !== plain[s]);
        }
      }
      // Batched decoding may differ from single decoding in the last float bits; allow one rounding step.
      expect(worst, seed).toBeLessThanOrEqual(1);
      expect(changed, seed).toBeGreaterThan(100);
    }
    const etag = (await get(worker(), `/interpolate?from=ann&to=ben&steps=2&size=16&${names()[1]}=-1.0&${names()[0]}=%2B1.50`)).header('etag');
    const canonical = [`${names()[0]}=1.5`, `${names()[1]}=-1`].sort().join(';');
    expect(etag).toMatch(new RegExp(`-2-16-strip-square-[0-9a-f]{8}:${canonical}"$`));
  });

  it.each(['2.001', '-2.5', '10', 'NaN', 'Infinity', 'abc', '', '1e0', '0x1', '0.0001', '1,5', '--1', ' 1'])(
    'strength %j is a 400 naming the parameter',
    async (value) => {
    const name = names()[0];
    for (const path of [`/face/a?${name}=${encodeURIComponent(value)}`, `/interpolate?from=a&to=b&${name}=${encodeURIComponent(value)}`, `/latent/a?${name}=${encodeURIComponent(value)}`]) {
      const { status, body } = await get(worker(), path);
      expect(status, path).toBe(400);
      expect(json(body)).toMatchObject({ error: 'invalid_query', detail: expect.stringContaining(name) });
    }
    },
  );

  it('a repeated attribute is a 400', async () => {
    const name = names()[0];
    const { status, body } = await get(worker(), `/face/a?${name}=1&${name}=1`);
    expect(status).toBe(400);
    expect(json(body)).toMatchObject({ error: 'invalid_query', detail: expect.stringContaining(name) });
  });

  it.each(['colour=1', 'Smile=1', 'smiles=0.5', 'constructor=1', 'toString=1', 'attributes=1'])(
    'unknown parameter %s is a 400 that lists the valid attribute names, on every route',
    async (q) => {
      for (const path of [`/face/a?${q}`, `/face/a.png?size=16&${q}`, `/interpolate?from=a&to=b&${q}`, `/latent/a?${q}`]) {
        const { status, body } = await get(worker(), path);
        expect(status, path).toBe(400);
        const { error, detail } = json(body);
        expect(error, path).toBe('invalid_query');
        expect(detail, path).toContain(q.split('=')[0]);
        for (const name of names()) expect(detail, path).toContain(name);
      }
    },
  );

  it('__proto__ is a 400 like any unknown parameter, not silently dropped', async () => {
    for (const path of ['/face/a?__proto__=1', '/interpolate?from=a&to=b&__proto__=1', '/latent/a?__proto__=1']) {
      const { status, body } = await get(worker(), path);
      expect(status, path).toBe(400);
      expect(json(body)).toMatchObject({ error: 'invalid_query', detail: expect.stringContaining('__proto__') });
    }
  });

  it('/attributes takes only v', async () => {
    expect((await get(worker(), '/attributes?smile=1')).status).toBe(400);
    expect(json((await get(worker(), '/attributes?v=nope')).body).error).toBe('unknown_version');
  });
});

describe('attribute shifts are deterministic across fresh isolates', () => {
  let other: RunningWorker;
  const worker = useWorker({ models: true });
  beforeAll(async () => {
    other = await startWorker(inject('workerDir'));
    await other.putModels();
  });
  afterAll(() => other.dispose());

  it('the same shift in another query order gives identical bytes in another isolate', async () => {
    const [a, b, c] = names();
    const here = await get(worker(), `/face/det?size=40&${a}=0.3&${b}=-1.7&${c}=2`);
    const there = await get(other, `/face/det?size=40&${c}=2.0&${b}=-1.700&${a}=.3`);
    expect(there.header('etag')).toBe(here.header('etag'));
    expect(sha256(there.body)).toBe(sha256(here.body));
  });
});

describe('the attributes file is part of the model', () => {
  const worker = useWorker({ models: true });

  async function expect503(path: string, mention: string) {
    const { status, body, header } = await get(worker(), path);
    expect(status, path).toBe(503);
    expect(header('retry-after')).toBe('10');
    expect(json(body)).toMatchObject({ error: 'model_unavailable', detail: expect.stringContaining(mention) });
  }

  it('missing or corrupt → 503 on faces, shifted latents and /attributes; fixed → 200 again', async () => {
    const { attributesFile: file } = currentEntry();
    const bucket = await worker().mf.getR2Bucket('MODELS');
    const good = new Uint8Array(await (await bucket.get(file!))!.arrayBuffer());
    await bucket.delete(file!);
    for (const path of ['/face/x?size=16', `/face/x?size=16&${names()[0]}=1`, `/latent/x?${names()[0]}=1`, '/attributes']) await expect503(path, 'missing');
    // An unshifted latent needs no directions.
    expect((await get(worker(), '/latent/x')).status).toBe(200);

    const corrupt = good.slice();
    corrupt[corrupt.length >> 1] ^= 0x01;
    await bucket.put(file!, corrupt);
    for (const path of ['/face/x?size=16', '/attributes']) await expect503(path, 'sha256');

    await bucket.put(file!, good);
    expect((await get(worker(), `/face/x?size=16&${names()[0]}=1`)).status).toBe(200);
    expect((await get(worker(), '/attributes')).status).toBe(200);
  });
});

describe('a model published without attributes', () => {
  const worker = useWorker({ models: true });
  const version = 'no-attributes';

  beforeAll(async () => {
    const manifest = readManifest();
    const { attributesFile: _f, attributesSha256: _s, attributes: _a, ...bare } = currentEntry();
    const bucket = await worker().mf.getR2Bucket('MODELS');
    await bucket.put('manifest.json', JSON.stringify({ ...manifest, models: [...manifest.models, { ...bare, version }] }));
  });

  it('serves faces, lists no attributes, and rejects attribute parameters', async () => {
    expect((await get(worker(), `/face/y?size=16&v=${version}`)).status).toBe(200);
    expect(json((await get(worker(), `/attributes?v=${version}`)).body).attributes).toEqual([]);
    const { status, body } = await get(worker(), `/face/y?size=16&v=${version}&${names()[0]}=1`);
    expect(status).toBe(400);
    expect(json(body).detail).toContain('no attributes');
  });
});

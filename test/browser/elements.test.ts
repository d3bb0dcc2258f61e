/**
 * `<seedface-avatar>` and `<seedface-morph>` (web/seedface.ts) in Debian's chromium, on pages of another site (a
 * local server reached as `localhost`, the worker being `127.0.0.1`) that load `<worker>/web/seedface.js` with one
 * script tag: the avatar at its size with a srcset resolved on a 2× screen, re-rendered when an attribute changes;
 * `local` with no request carrying the seed and the server's pixels (WASM), its runtime loaded once for all
 * elements; the morph's frame at t = 0.5 equal to /interpolate's middle frame, drawn from the strip and in the page,
 * and playing; bad options shown as the neutral box with a warning naming them; and what a page without `local`
 * loads: no runtime, at most 6 KiB of gzipped script.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContextOptions, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium';
import { decodePng, stripFrame } from '../../scripts/lib/png-reader';
import { get, useWorker } from '../support/fixtures';

const worker = useWorker({ models: true, runtime: true });
const TIMEOUT = 180_000;
/** What a page that uses the elements without `local` may load, as gzip -9 of its scripts. */
const SCRIPT_BUDGET = 6 * 1024;
/** A seed that must stay in the page: an e-mail address. */
const PRIVATE_SEED = 'jane.doe+faces@example.com';

/** The pages the test serves, by path, each loading the worker's seedface.js. */
const pages = new Map<string, string>();
let server: Server;
let browser: Browser;

beforeAll(async () => {
  server = createServer((req, res) => {
    const body = pages.get(req.url ?? '');
    if (body === undefined) return void res.writeHead(404).end();
    // every element's `load` event is recorded (by id) for shown(); on the document: a load event never reaches the window
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(`<!doctype html>
<title>elements</title>
<script>
window.loads = [];
document.addEventListener('load', (e) => e.target.localName?.startsWith('seedface-') && loads.push(e.target.id), true);
</script>
<script type="module" src="${new URL('/web/seedface.js', worker().url)}"></script>
${body}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  browser = await launchChromium({ webgpu: false });
}, TIMEOUT);
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

/** What a page did: the requests it made (URL and body), the responses it got, its console warnings. */
interface Opened {
  page: Page;
  sent: { url: string; body: string }[];
  received: Response[];
  warnings: string[];
}

/** Opens `body` as a page of another site in a fresh context, recording what it does. */
async function open(body: string, context: BrowserContextOptions = {}): Promise<Opened> {
  const path = `/page-${pages.size}`;
  pages.set(path, body);
  const page = await (await browser.newContext(context)).newPage();
  const opened: Opened = { page, sent: [], received: [], warnings: [] };
  page.on('request', (request) => opened.sent.push({ url: request.url(), body: request.postData() ?? '' }));
  page.on('response', (response) => opened.received.push(response));
  page.on('console', (message) => message.type() === 'warning' && opened.warnings.push(message.text()));
  await page.goto(`http://localhost:${(server.address() as AddressInfo).port}${path}`);
  return opened;
}

/** Waits until the element with `id` has fired `load` (shown a face) `times` times. */
async function shown(page: Page, id: string, times = 1): Promise<void> {
  await page.waitForFunction(([id, times]) => (window as unknown as { loads: string[] }).loads.filter((l) => l === id).length >= times, [id, times] as const, { timeout: 120_000, polling: 20 });
}

/** The RGBA pixels of the canvas in element `id`'s shadow root, and its size in device and CSS pixels. */
async function canvasOf(page: Page, id: string) {
  const { data, ...rest } = await page.$eval(`#${id}`, (element) => {
    const canvas = element.shadowRoot!.querySelector('canvas')!;
    const { width, height } = canvas.getBoundingClientRect();
    const data = Array.from(canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data);
    return { width: canvas.width, height: canvas.height, cssWidth: width, cssHeight: height, data };
  });
  return { ...rest, data: Uint8Array.from(data) };
}

/** The server's PNG for `path`, decoded to RGBA. */
async function serverPixels(path: string): Promise<Uint8Array> {
  const { status, body } = await get(worker(), path);
  expect(status, path).toBe(200);
  return decodePng(body).frames[0];
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

describe('<seedface-avatar>', { timeout: TIMEOUT }, () => {
  it('is an <img> of /face at its size, whose srcset a 2× screen resolves to the dpr=2 face; an attribute change draws again', async () => {
    const { page } = await open(`<seedface-avatar id="a" seed="alice" size="64" alt="Alice"></seedface-avatar>
<seedface-avatar id="b" seed="bob" size="200"></seedface-avatar>`, { deviceScaleFactor: 2 });
    await shown(page, 'a');
    const img = () =>
      page.$eval('#a', (element) => {
        const img = element.shadowRoot!.querySelector('img')!;
        const { width, height } = img.getBoundingClientRect();
        return { box: [width, height], attributes: [img.width, img.height, img.alt, img.loading], src: img.src, srcset: img.srcset, currentSrc: img.currentSrc, natural: [img.naturalWidth, img.naturalHeight] };
      });
    const face = (path: string) => new URL(`/face/${path}`, worker().url).href;
    expect(await img()).toEqual({
      box: [64, 64],
      attributes: [64, 64, 'Alice', 'lazy'],
      src: face('alice.png?size=64'),
      srcset: `${face('alice.png?size=64')} 1x, ${face('alice.png?size=64&dpr=2')} 2x, ${face('alice.png?size=64&dpr=3')} 3x`,
      currentSrc: face('alice.png?size=64&dpr=2'),
      // the natural size of a 2x candidate is its pixels over 2
      natural: [64, 64],
    });
    expect(decodePng((await get(worker(), '/face/alice.png?size=64&dpr=2')).body).width).toBe(128);
    // 3 × 200 px is past the route's 512 px: no such candidate
    expect(await page.$eval('#b', (element) => element.shadowRoot!.querySelector('img')!.srcset)).toBe(`${face('bob.png?size=200')} 1x, ${face('bob.png?size=200&dpr=2')} 2x`);

    await page.$eval('#a', (element) => {
      element.setAttribute('seed', 'carol');
      element.setAttribute('shape', 'circle');
      element.setAttribute('size', '48');
    });
    await shown(page, 'a', 2);
    const after = await img();
    expect(after.box).toEqual([48, 48]);
    expect(after.currentSrc).toBe(face('carol.png?size=48&shape=circle&dpr=2'));
    expect(after.natural).toEqual([48, 48]);
    await page.context().close();
  });

  it('with `local` draws the server’s pixels in the page (WASM), no request carrying the seed, one runtime for all elements', async () => {
    const { page, sent } = await open(`<seedface-avatar id="a" seed="${PRIVATE_SEED}" size="64" local></seedface-avatar>
<seedface-avatar id="b" seed="${PRIVATE_SEED}" size="40" grayscale local></seedface-avatar>
<seedface-avatar id="c" seed="alice" width="60" height="40" fit="contain" background="ff8800" local></seedface-avatar>`);
    for (const id of ['a', 'b', 'c']) await shown(page, id);
    const a = await canvasOf(page, 'a');
    expect([a.width, a.height, a.cssWidth, a.cssHeight]).toEqual([64, 64, 64, 64]);
    expect(same(a.data, await serverPixels(`/face/${encodeURIComponent(PRIVATE_SEED)}.png?size=64`))).toBe(true);
    expect(same((await canvasOf(page, 'b')).data, await serverPixels(`/face/${encodeURIComponent(PRIVATE_SEED)}.png?size=40&grayscale`))).toBe(true);
    expect(same((await canvasOf(page, 'c')).data, await serverPixels('/face/alice.png?width=60&height=40&fit=contain&background=ff8800'))).toBe(true);

    const spellings = [PRIVATE_SEED, encodeURIComponent(PRIVATE_SEED), 'jane.doe', 'jane%2Edoe'];
    expect(sent.filter(({ url, body }) => spellings.some((s) => url.includes(s) || body.includes(s)))).toEqual([]);
    expect(sent.filter(({ url }) => /\/(face|interpolate|latent)/.test(url))).toEqual([]);
    // the in-page runtime, ORT's wasm and the model: once for the three elements
    const count = (pattern: RegExp) => sent.filter(({ url }) => pattern.test(new URL(url).pathname)).length;
    expect([count(/^\/web\/local-faces\.js$/), count(/^\/runtime\/.*\.wasm$/), count(/^\/models\/.*\.onnx$/)]).toEqual([1, 1, 1]);
    await page.context().close();
  });
});

describe('<seedface-morph>', { timeout: TIMEOUT }, () => {
  it('shows at t=0.5 /interpolate’s middle frame for the same steps, from the strip and drawn in the page', async () => {
    const { page } = await open(`<seedface-morph id="strip" from="alice" to="bob" size="64" steps="5" t="0.5"></seedface-morph>
<seedface-morph id="local" from="alice" to="bob" size="64" steps="5" t="0.5" local></seedface-morph>`);
    const strip = decodePng((await get(worker(), '/interpolate?from=alice&to=bob&steps=5&size=64')).body).frames[0];
    for (const id of ['strip', 'local']) {
      await shown(page, id);
      const { width, cssWidth, data } = await canvasOf(page, id);
      expect([width, cssWidth]).toEqual([64, 64]);
      expect(same(data, stripFrame(strip, 64, 5, 2)), id).toBe(true);
    }
    // the t property moves it: 1 is the last frame
    await page.$eval('#strip', (element) => ((element as HTMLElement & { t: number }).t = 1));
    expect(same((await canvasOf(page, 'strip')).data, stripFrame(strip, 64, 5, 4))).toBe(true);
    await page.context().close();
  });

  it('plays there and back with autoplay and loop, and stops where t is set', async () => {
    const { page } = await open('<seedface-morph id="m" from="alice" to="bob" size="32" steps="9" autoplay loop duration="400"></seedface-morph>');
    await shown(page, 'm');
    const seen: number[] = await page.$eval('#m', async (element) => {
      const positions: number[] = [];
      for (let i = 0; i < 40; i++) {
        positions.push((element as HTMLElement & { t: number }).t);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return positions;
    });
    expect(new Set(seen).size).toBeGreaterThan(5);
    // up to `to`, and back
    const top = seen.findIndex((t) => t > 0.9);
    expect(top).toBeGreaterThanOrEqual(0);
    expect(Math.min(...seen.slice(top))).toBeLessThan(0.5);

    await page.$eval('#m', (element) => element.setAttribute('t', '0'));
    await page.waitForTimeout(200);
    expect(await page.$eval('#m', (element) => (element as HTMLElement & { t: number }).t)).toBe(0);
    const strip = decodePng((await get(worker(), '/interpolate?from=alice&to=bob&steps=9&size=32')).body).frames[0];
    expect(same((await canvasOf(page, 'm')).data, stripFrame(strip, 32, 9, 0))).toBe(true);
    await page.context().close();
  });
});

describe('a bad option', { timeout: TIMEOUT }, () => {
  it.each([
    ['shape', '<seedface-avatar id="x" seed="alice" size="64" shape="oval"></seedface-avatar>'],
    ['smiel', '<seedface-avatar id="x" seed="alice" size="64" strengths="smiel=1"></seedface-avatar>'],
    ['blur', '<seedface-avatar id="x" seed="alice" size="64" blur="99" local></seedface-avatar>'],
    ['steps', '<seedface-morph id="x" from="alice" to="bob" size="64" steps="40"></seedface-morph>'],
    ['steps', '<seedface-morph id="x" from="alice" to="bob" size="64" steps="1" local></seedface-morph>'],
  ])('shows the neutral box at the element’s size and a warning naming %s: %s', async (name, body) => {
    const { page, warnings } = await open(body);
    const ours = () => warnings.filter((warning) => warning.startsWith('<seedface-'));
    await expect.poll(() => ours().length, { timeout: 60_000 }).toBeGreaterThan(0);
    expect(ours()).toEqual([expect.stringMatching(new RegExp(`^<seedface-(avatar|morph)>: .*\\b${name}\\b`))]);
    const shows = await page.$eval('#x', (element) =>
      [...element.shadowRoot!.children].map((child) => {
        const { width, height } = child.getBoundingClientRect();
        return [child.getAttribute('part'), width, height];
      }),
    );
    expect(shows).toEqual([['placeholder', 64, 64]]);
    await page.context().close();
  });
});

describe('a page without `local`', { timeout: TIMEOUT }, () => {
  it(`loads seedface.js alone, at most ${SCRIPT_BUDGET} bytes gzipped, and no runtime`, async () => {
    const { page, sent, received } = await open(`<seedface-avatar id="a" seed="alice" size="64"></seedface-avatar>
<seedface-morph id="m" from="alice" to="bob" size="64" steps="3" autoplay></seedface-morph>`);
    await shown(page, 'a');
    await shown(page, 'm');
    const scripts = received.filter((response) => response.request().resourceType() === 'script');
    expect(scripts.map((response) => new URL(response.url()).pathname)).toEqual(['/web/seedface.js']);
    const gzipped = gzipSync(await scripts[0].body(), { level: 9 }).length;
    expect(gzipped).toBeLessThanOrEqual(SCRIPT_BUDGET);
    expect(sent.filter(({ url }) => /\/(runtime|models)\/|local-faces/.test(url))).toEqual([]);
    await page.context().close();
  });
});

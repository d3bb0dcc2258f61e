/**
 * The demo page in Debian's chromium against the built worker (workerd on a loopback port): the in-browser face for a
 * seed against the server's PNG, on the WASM fallback (exact) and on WebGPU through SwiftShader (within 2/255 mean
 * absolute difference), the morph slider, the download button (PNG, WebP and JPEG: the server's bytes), and a
 * screenshot of each page as a test artefact in dist/test-artifacts/browser/ (ignored).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentEntry } from '../../scripts/lib/models-dir';
import { get, useWorker } from '../support/fixtures';
import { decodePng, stripFrame } from '../../scripts/lib/png-reader';
import { canvasPixels, launchChromium, waitForRenders } from '../../scripts/lib/chromium';

const worker = useWorker({ models: true, runtime: true });

const ARTIFACTS = resolve(import.meta.dirname, '../../dist/test-artifacts/browser');
const SEED = 'alice';
const TO = 'bob';
/** Mean absolute difference per channel value allowed between WebGPU (float32 on another device) and the server. */
const WEBGPU_MAD = 2 / 255;
const TIMEOUT = 180_000;

/** The server's PNG for `path`, decoded to RGBA, and its bytes. */
async function serverFace(path: string) {
  const { status, body } = await get(worker(), path);
  expect(status).toBe(200);
  return { bytes: body, rgba: decodePng(body).frames[0] };
}

/** Mean absolute difference of the RGB values, in units of full scale (0–1). */
function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let sum = 0, n = 0;
  for (let i = 0; i < a.length; i++) {
    if (i % 4 === 3) continue;
    sum += Math.abs(a[i] - b[i]);
    n++;
  }
  return sum / n / 255;
}

/** Opens the demo page for `seed` in a fresh chromium and waits for its first face. */
function useDemoPage(webgpu: boolean): () => Page {
  let browser: Browser | undefined, page: Page | undefined;
  beforeAll(async () => {
    browser = await launchChromium({ webgpu });
    page = await browser.newPage();
    await page.goto(new URL(`/?seed=${SEED}&to=${TO}`, worker().url).href);
    await waitForRenders(page, 1);
  }, TIMEOUT);
  afterAll(async () => {
    await browser?.close();
  });
  return () => page!;
}

/** Moves the morph slider to `percent` (playwright's fill sets the value and fires `input`) and waits for the frame. */
async function morphTo(page: Page, percent: number): Promise<void> {
  const renders = Number(await page.getAttribute('#browser-face', 'data-renders'));
  await page.fill('#morph', String(percent));
  await waitForRenders(page, renders + 1);
}

function screenshot(page: Page, name: string): Promise<Buffer> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
}

describe('demo page without WebGPU (WASM fallback)', { timeout: TIMEOUT }, () => {
  const page = useDemoPage(false);

  it('reports the wasm backend, the first face, and a time per face measured over many faces (never 0.0 ms)', async () => {
    expect(await page().textContent('#backend')).toBe('wasm');
    expect(await page().textContent('#first-face')).toMatch(/^[0-9]+ ms$/);
    await expect.poll(() => page().textContent('#ms')).toMatch(/^[0-9]+\.[0-9] ms$/);
    expect(Number.parseFloat((await page().textContent('#ms'))!)).toBeGreaterThan(0);
  });

  it('draws exactly the pixels of the server PNG', async () => {
    const { width, data } = await canvasPixels(page());
    expect(width).toBe(128);
    expect(Buffer.from(data).equals(Buffer.from((await serverFace(`/face/${SEED}?size=128`)).rgba))).toBe(true);
  });

  it('downloads the same PNG bytes the server sends', async () => {
    const [download] = await Promise.all([page().waitForEvent('download'), page().click('#download')]);
    const bytes = readFileSync(await download.path());
    expect(Buffer.from(bytes).equals(Buffer.from((await serverFace(`/face/${SEED}?size=128`)).bytes))).toBe(true);
  });

  it.each([
    ['webp', 'webp'],
    ['jpeg', 'jpg'],
  ])('downloads as %s the same bytes the server sends for .%s (the worker’s codecs, loaded on first use)', async (format, extension) => {
    await page().selectOption('#download-format', format);
    const [download] = await Promise.all([page().waitForEvent('download'), page().click('#download')]);
    expect(download.suggestedFilename()).toBe(`${SEED}.${extension}`);
    const bytes = readFileSync(await download.path());
    const { status, body } = await get(worker(), `/face/${SEED}.${extension}?size=128`);
    expect(status).toBe(200);
    expect(Buffer.from(bytes).equals(Buffer.from(body))).toBe(true);
    await page().selectOption('#download-format', 'png');
  });

  it('a typed seed (Enter submits) draws that seed, beside the server image of it', async () => {
    const renders = Number(await page().getAttribute('#browser-face', 'data-renders'));
    await page().fill('#seed', 'émile 😀');
    await page().press('#seed', 'Enter');
    await waitForRenders(page(), renders + 1);
    const server = await serverFace(`/face/${encodeURIComponent('émile 😀')}?size=128`);
    expect(Buffer.from((await canvasPixels(page())).data).equals(Buffer.from(server.rgba))).toBe(true);
    expect(await page().getAttribute('#server-face', 'src')).toBe(`/face/${encodeURIComponent('émile 😀')}.png?size=128`);
    await page().fill('#seed', SEED);
    await page().press('#seed', 'Enter');
    await waitForRenders(page(), renders + 2);
  });

  it('a seed the server would refuse (over 256 UTF-8 bytes) is refused on the page too, with a message', async () => {
    const renders = await page().getAttribute('#browser-face', 'data-renders');
    await page().fill('#seed', 'é'.repeat(129));
    await page().press('#seed', 'Enter');
    await expect.poll(() => page().textContent('#status')).toMatch(/^Not a seed: .*256 UTF-8 bytes/);
    expect(await page().getAttribute('#browser-face', 'data-renders')).toBe(renders);
    await page().fill('#seed', SEED);
  });

  it('the morph slider changes the face: halfway is /interpolate’s middle frame, the end is the other seed', async () => {
    const start = (await canvasPixels(page())).data;
    await morphTo(page(), 50);
    const middle = (await canvasPixels(page())).data;
    expect(meanAbsDiff(middle, start)).toBeGreaterThan(0.01);
    const strip = decodePng((await get(worker(), `/interpolate?from=${SEED}&to=${TO}&steps=3&size=128`)).body).frames[0];
    expect(Buffer.from(middle).equals(Buffer.from(stripFrame(strip, 128, 3, 1)))).toBe(true);
    await morphTo(page(), 100);
    expect(Buffer.from((await canvasPixels(page())).data).equals(Buffer.from((await serverFace(`/face/${TO}?size=128`)).rgba))).toBe(true);
  });

  it('the slider answers the keyboard', async () => {
    const before = (await canvasPixels(page())).data;
    const renders = Number(await page().getAttribute('#browser-face', 'data-renders'));
    await page().focus('#morph');
    await page().keyboard.press('Home');
    await waitForRenders(page(), renders + 1);
    expect(await page().inputValue('#morph')).toBe('0');
    expect(meanAbsDiff((await canvasPixels(page())).data, before)).toBeGreaterThan(0.01);
  });

  it('attribute sliders shift the face exactly as the /face query does, or are hidden for a model without attributes', async () => {
    const names = currentEntry().attributes ?? [];
    if (names.length === 0) {
      expect(await page().isHidden('#attributes')).toBe(true);
      return;
    }
    const name = names[0];
    const renders = Number(await page().getAttribute('#browser-face', 'data-renders'));
    await page().fill(`#attribute-${name}`, '1.5');
    await waitForRenders(page(), renders + 1);
    const path = `/face/${SEED}.png?size=128&${name}=1.5`;
    expect(await page().getAttribute('#server-face', 'src')).toBe(path);
    const shifted = (await canvasPixels(page())).data;
    expect(Buffer.from(shifted).equals(Buffer.from((await serverFace(path)).rgba))).toBe(true);
    expect(Buffer.from(shifted).equals(Buffer.from((await serverFace(`/face/${SEED}?size=128`)).rgba))).toBe(false);
    await page().fill(`#attribute-${name}`, '0');
    await waitForRenders(page(), renders + 2);
  });

  it('the client API\'s interpolate gives /interpolate\'s frames exactly', async () => {
    // A string, not a function: vitest would rewrite a function's import() into its own loader, absent in the page.
    const frames: number[][] = await page().evaluate(`(async () => {
      const { createFaceGenerator } = await import('/web/face-generator.js');
      const faces = await createFaceGenerator();
      return (await faces.interpolate(${JSON.stringify(SEED)}, ${JSON.stringify(TO)}, 4, { size: 32 })).map((f) => Array.from(f.data));
    })()`);
    const strip = decodePng((await get(worker(), `/interpolate?from=${SEED}&to=${TO}&steps=4&size=32`)).body).frames[0];
    expect(frames).toHaveLength(4);
    frames.forEach((frame, i) => expect(Buffer.from(frame).equals(Buffer.from(stripFrame(strip, 32, 4, i)))).toBe(true));
  });

  it.each([
    ['width=300&height=200', { width: 300, height: 200 }],
    ['width=120&height=200&fit=contain&background=ff8800', { width: 120, height: 200, fit: 'contain', background: 'ff8800' }],
    ['width=200&height=120&fit=contain&background=transparent', { width: 200, height: 120, fit: 'contain', background: 'transparent' }],
    ['size=48&dpr=3&grayscale=1&blur=3', { size: 48, dpr: 3, grayscale: true, blur: 3 }],
    ['size=64&shape=circle&background=0000ff', { size: 64, shape: 'circle', background: '0000ff' }],
  ])('the client API draws /face?%s exactly, and encodes its PNG bytes', async (query, options) => {
    const drawn: { width: number; height: number; data: number[]; png: number[] } = await page().evaluate(`(async () => {
      const { createFaceGenerator } = await import('/web/face-generator.js');
      const faces = await createFaceGenerator();
      const { imageData } = await faces.generate(${JSON.stringify(SEED)}, ${JSON.stringify(options)});
      const png = new Uint8Array(await faces.toPng(imageData).arrayBuffer());
      return { width: imageData.width, height: imageData.height, data: Array.from(imageData.data), png: Array.from(png) };
    })()`);
    const server = await serverFace(`/face/${SEED}.png?${query}`);
    const { width, height } = decodePng(server.bytes);
    expect([drawn.width, drawn.height]).toEqual([width, height]);
    expect(Buffer.from(drawn.data).equals(Buffer.from(server.rgba))).toBe(true);
    expect(Buffer.from(drawn.png).equals(Buffer.from(server.bytes))).toBe(true);
  });

  it('the client API refuses a frame the server refuses, naming the option', async () => {
    const message: string = await page().evaluate(`(async () => {
      const { createFaceGenerator } = await import('/web/face-generator.js');
      const faces = await createFaceGenerator();
      return faces.generate('alice', { size: 300, dpr: 2 }).then(() => 'drawn', (e) => e.message);
    })()`);
    expect(message).toMatch(/^dpr:/);
  });

  it('the embed panel shows the <img> and <seedface-avatar> snippets of the chosen face, previewed by that markup', async () => {
    const face = (query: string) => new URL(`/face/${SEED}.png?${query}`, worker().url).href;
    // in markup an attribute's & is &amp;
    const html = (query: string) => face(query).replaceAll('&', '&amp;');
    const script = `<script type="module" src="${new URL('/web/seedface.js', worker().url).href}"></script>`;
    expect(await page().textContent('#embed-img')).toBe(`<img src="${html('size=128')}" srcset="${html('size=128')} 1x, ${html('size=128&dpr=2')} 2x, ${html('size=128&dpr=3')} 3x" width="128" height="128" alt="Avatar">`);
    expect(await page().textContent('#embed-avatar')).toBe(`${script}\n<seedface-avatar seed="${SEED}" size="128" alt="Avatar"></seedface-avatar>`);
    const previews = () =>
      page().evaluate(() => {
        const img = document.querySelector<HTMLImageElement>('#embed-img-preview img')!;
        const avatar = document.querySelector('#embed-avatar-preview seedface-avatar')!.shadowRoot!.querySelector<HTMLImageElement>('img');
        return { img: img.complete ? [img.currentSrc, img.naturalWidth] : [], avatar: avatar?.complete ? [avatar.currentSrc, avatar.naturalWidth] : [] };
      });
    // the element's image loads lazily: once it is in view
    await page().locator('#embed-avatar-preview').scrollIntoViewIfNeeded();
    await expect.poll(previews).toEqual({ img: [face('size=128'), 128], avatar: [face('size=128'), 128] });

    // another size and `local`: the element draws the server's face in the page
    const renders = Number(await page().getAttribute('#browser-face', 'data-renders'));
    await page().selectOption('#size', '64');
    await waitForRenders(page(), renders + 1);
    await page().check('#embed-local');
    expect(await page().textContent('#embed-avatar')).toBe(`${script}\n<seedface-avatar seed="${SEED}" size="64" alt="Avatar" local=""></seedface-avatar>`);
    const drawn = async () =>
      page().evaluate(() => {
        const canvas = document.querySelector('#embed-avatar-preview seedface-avatar')!.shadowRoot!.querySelector('canvas');
        return canvas ? Array.from(canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data) : [];
      });
    await expect.poll(async () => (await drawn()).length, { timeout: 60_000 }).toBe(64 * 64 * 4);
    expect(Buffer.from(await drawn()).equals(Buffer.from((await serverFace(`/face/${SEED}?size=64`)).rgba))).toBe(true);
    await page().uncheck('#embed-local');
    await page().selectOption('#size', '128');
    await waitForRenders(page(), renders + 2);
  });

  it('writes a screenshot of the page', async () => {
    const png = decodePng(await screenshot(page(), 'demo-wasm.png'));
    expect(png.width).toBeGreaterThan(300);
  });
});

describe('demo page with WebGPU (SwiftShader adapter)', { timeout: TIMEOUT }, () => {
  const page = useDemoPage(true);

  it('reports the webgpu backend', async () => {
    expect(await page().textContent('#backend')).toBe('webgpu');
  });

  it(`draws the server's face within a mean absolute difference of ${WEBGPU_MAD.toFixed(4)} (2/255)`, async () => {
    const { data } = await canvasPixels(page());
    const server = (await serverFace(`/face/${SEED}?size=128`)).rgba;
    const mad = meanAbsDiff(data, server);
    expect(mad).toBeLessThanOrEqual(WEBGPU_MAD);
  });

  it('the morph slider changes the face', async () => {
    const start = (await canvasPixels(page())).data;
    await morphTo(page(), 100);
    const end = (await canvasPixels(page())).data;
    expect(meanAbsDiff(end, start)).toBeGreaterThan(0.01);
    expect(meanAbsDiff(end, (await serverFace(`/face/${TO}?size=128`)).rgba)).toBeLessThanOrEqual(WEBGPU_MAD);
  });

  it('writes a screenshot of the page', async () => {
    const png = decodePng(await screenshot(page(), 'demo-webgpu.png'));
    expect(png.width).toBeGreaterThan(300);
  });
});

/**
 * The security headers in Debian's chromium against the built worker. A page from another origin (a local server,
 * reached as `localhost` while the worker is `127.0.0.1`: another site) that sends
 * `Cross-Origin-Embedder-Policy: require-corp` shows faces in plain `<img>`s, while an image without
 * `Cross-Origin-Resource-Policy` is blocked there (so the page does enforce the policy). The demo page and the API
 * reference load under their Content-Security-Policy with no violation, in the console or as events, and still work:
 * the demo draws a face (on WASM, and on WebGPU through SwiftShader) and its embed panel's `<seedface-avatar local>`
 * (the page elements' inline styles are set through the CSSOM, which the policy allows), Swagger UI lists every
 * route; an inline style added afterwards is refused and reported, so a violation would have been seen.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, waitForRenders } from '../../scripts/lib/chromium';
import { get, useWorker } from '../support/fixtures';

const worker = useWorker({ models: true, runtime: true });
const TIMEOUT = 180_000;

/** A page's CSP violations: console messages that report one, and `securitypolicyviolation` events. */
async function watchViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => violations.push(`page error: ${error.message}`));
  await page.exposeFunction('reportViolation', (text: string) => violations.push(`event: ${text}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { reportViolation: (t: string) => void }).reportViolation(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return violations;
}

/** Adds an inline style the CSP does not list; returns once the browser has had the chance to refuse it. */
async function addInlineStyle(page: Page): Promise<void> {
  await page.evaluate(() => {
    const style = document.createElement('style');
    style.textContent = 'body { outline: 1px solid red; }';
    document.head.append(style);
  });
}

describe('a page with Cross-Origin-Embedder-Policy: require-corp, on another site', { timeout: TIMEOUT }, () => {
  let server: Server;
  let browser: Browser | undefined;
  let page: Page;

  beforeAll(async () => {
    const plain = (await get(worker(), '/face/control.png?size=64')).body;
    const faces = new URL(worker().url);
    server = createServer((req, res) => {
      if (req.url === '/plain.png') {
        // an image like the worker's, but without CORP: the policy must block it
        res.writeHead(200, { 'Content-Type': 'image/png' }).end(plain);
        return;
      }
      const port = (server.address() as AddressInfo).port;
      res.writeHead(200, { 'Content-Type': 'text/html', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Opener-Policy': 'same-origin' }).end(`<!doctype html>
<title>embedder</title>
<img id="png" src="${new URL('/face/alice.png?size=64', faces)}">
<img id="webp" src="${new URL('/face/alice.webp?size=64', faces)}">
<img id="plain" src="http://127.0.0.1:${port}/plain.png">`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    browser = await launchChromium({ webgpu: false });
    page = await browser.newPage();
    await page.goto(`http://localhost:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => [...document.images].every((img) => img.complete), undefined, { timeout: 60_000 });
  }, TIMEOUT);
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('is cross-origin isolated (the policy is in force)', async () => {
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  });

  it('shows the PNG and the WebP face in plain <img>s', async () => {
    for (const id of ['png', 'webp']) {
      expect(await page.$eval(`#${id}`, (img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]), id).toEqual([64, 64]);
    }
  });

  it('blocks the same image served without Cross-Origin-Resource-Policy', async () => {
    expect(await page.$eval('#plain', (img: HTMLImageElement) => img.naturalWidth)).toBe(0);
  });
});

describe('the HTML pages under their Content-Security-Policy', { timeout: TIMEOUT }, () => {
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
  });

  /** Opens `path` in a fresh page of a chromium with or without WebGPU, watching for violations. */
  async function open(path: string, webgpu: boolean): Promise<{ page: Page; violations: string[] }> {
    await browser?.close();
    browser = await launchChromium({ webgpu });
    const page = await browser.newPage();
    const violations = await watchViolations(page);
    const response = await page.goto(new URL(path, worker().url).href);
    expect(response?.headers()['content-security-policy']).toMatch(/^default-src 'none'/);
    return { page, violations };
  }

  it.each([
    ['WebAssembly', false, 'wasm'],
    ['WebGPU (SwiftShader)', true, 'webgpu'],
  ])('/ draws a face on %s with no violation', async (_, webgpu, backend) => {
    const { page, violations } = await open('/?seed=alice', webgpu);
    await waitForRenders(page, 1, 120_000);
    expect(await page.textContent('#backend')).toBe(backend);
    await page.waitForFunction(() => (document.getElementById('server-face') as HTMLImageElement).complete);
    expect(await page.$eval('#server-face', (img: HTMLImageElement) => img.naturalWidth)).toBe(128);
    expect(violations).toEqual([]);
    await addInlineStyle(page);
    await expect.poll(() => violations.length).toBeGreaterThan(0);
  });

  it('/ draws the embed panel’s <seedface-avatar local> in the page with no violation', async () => {
    const { page, violations } = await open('/?seed=alice', false);
    await waitForRenders(page, 1, 120_000);
    await page.check('#embed-local');
    await page.waitForFunction(() => document.querySelector('#embed-avatar-preview seedface-avatar')?.shadowRoot?.querySelector('canvas'), undefined, { timeout: 120_000 });
    expect(violations).toEqual([]);
  });

  it('/docs lists every route of the document with no violation', async () => {
    const doc = JSON.parse(Buffer.from((await get(worker(), '/openapi.json')).body).toString());
    const { page, violations } = await open('/docs', false);
    await page.waitForSelector('.opblock-summary-path', { timeout: 60_000 });
    const listed = await page.$$eval('.opblock-summary-path', (cells) => cells.map((c) => c.getAttribute('data-path')));
    expect(listed.sort()).toEqual(Object.keys(doc.paths).sort());
    expect(violations).toEqual([]);
    await addInlineStyle(page);
    await expect.poll(() => violations.length).toBeGreaterThan(0);
  });
});

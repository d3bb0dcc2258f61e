/**
 * The API reference page (/docs) in Debian's chromium against the built worker: Swagger UI renders every operation
 * of /openapi.json, an operation opens to show its parameters, and the page loads nothing from anywhere but the
 * worker. A screenshot goes to dist/test-artifacts/browser/ (ignored).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../scripts/lib/chromium';
import { get, useWorker } from '../support/fixtures';

const worker = useWorker({ models: true });

const ARTIFACTS = resolve(import.meta.dirname, '../../dist/test-artifacts/browser');
const TIMEOUT = 120_000;

describe('API reference page', { timeout: TIMEOUT }, () => {
  let browser: Browser | undefined;
  let page: Page;
  /** Every URL the page requested. */
  const requested: string[] = [];
  /** Every `get <path>` of the document. */
  let documented: string[];

  beforeAll(async () => {
    const doc = JSON.parse(Buffer.from((await get(worker(), '/openapi.json')).body).toString());
    documented = Object.entries(doc.paths as Record<string, object>).flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`));
    browser = await launchChromium({ webgpu: false });
    page = await browser.newPage();
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(new URL('/docs', worker().url).href);
    await page.waitForSelector('.opblock-summary-path', { timeout: 60_000 });
  }, TIMEOUT);
  afterAll(async () => {
    await browser?.close();
  });

  it('lists every route of the document', async () => {
    const listed = await page.$$eval('.opblock', (blocks) =>
      blocks.map((b) => `${b.querySelector('.opblock-summary-method')?.textContent?.toLowerCase()} ${b.querySelector('.opblock-summary-path')?.getAttribute('data-path')}`),
    );
    expect(listed.sort()).toEqual([...documented].sort());
    expect(await page.textContent('.info .title')).toContain('seedface');
  });

  it('opens an operation to its parameters, with their ranges and defaults', async () => {
    await page.click('.opblock-summary-path[data-path="/face/{seed}"]');
    await page.waitForSelector('.parameters-container .parameter__name');
    const names = await page.$$eval('.parameters-container .parameter__name', (cells) => cells.map((c) => c.childNodes[0]?.textContent?.trim()));
    expect(names).toEqual(expect.arrayContaining(['seed', 'size', 'shape', 'v', 'attributes']));
    const text = await page.textContent('.parameters-container');
    expect(text).toMatch(/Default value\s*:\s*128/);
  });

  it('loads nothing from anywhere but the worker', () => {
    const origin = worker().url.origin;
    expect(requested.length).toBeGreaterThan(2);
    expect(requested.filter((u) => new URL(u).origin !== origin && !u.startsWith('data:'))).toEqual([]);
  });

  it('writes a screenshot of the page', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const png = await page.screenshot({ path: join(ARTIFACTS, 'docs.png'), fullPage: true });
    expect(png.length).toBeGreaterThan(10_000);
  });
});

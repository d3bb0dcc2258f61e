/**
 * Debian's chromium, headless, driven by playwright-core (never a downloaded browser), for test/browser/ and
 * bench/browser.ts. Flags from ../shared/FACTS.md; playwright adds a fresh user-data-dir per launch. Its page
 * callbacks need DOM types, so web/tsconfig.json checks this file, and the root tsconfig leaves it out.
 */
import { chromium, type Browser, type Page } from 'playwright-core';

/** `apt-get install chromium` puts it here. */
export const CHROMIUM = '/usr/bin/chromium';

const FLAGS = ['--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/**
 * Launches chromium. `webgpu: true` adds `--enable-unsafe-webgpu`, which gives headless chromium a SwiftShader
 * (software) WebGPU adapter; without it `navigator.gpu.requestAdapter()` is null and pages fall back to WASM.
 */
export function launchChromium(options: { webgpu: boolean }): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    args: [...FLAGS, ...(options.webgpu ? ['--enable-unsafe-webgpu'] : [])],
  });
}

/** Waits until the demo page's canvas has drawn `renders` frames (web/demo.ts counts them), or it reports an error. */
export async function waitForRenders(page: Page, renders: number, timeoutMs = 60_000): Promise<void> {
  await page.waitForFunction(
    (n) => Number(document.getElementById('browser-face')?.dataset.renders ?? 0) >= n || document.body.dataset.backend === 'none',
    renders,
    { timeout: timeoutMs, polling: 20 },
  );
  const backend = await page.evaluate(() => document.body.dataset.backend);
  if (backend === 'none') throw new Error(`the page could not start its decoder: ${await page.textContent('#status')}`);
}

/** The canvas's RGBA pixels. */
export async function canvasPixels(page: Page): Promise<{ width: number; height: number; data: Uint8Array }> {
  const { width, height, data } = await page.evaluate(() => {
    const canvas = document.getElementById('browser-face') as HTMLCanvasElement;
    const image = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    return { width: image.width, height: image.height, data: Array.from(image.data) };
  });
  return { width, height, data: Uint8Array.from(data) };
}

/**
 * The headers that let any page use what the worker serves, safely. Images, models, wasm and JSON are public and
 * meant for other origins (CORS is `*`), so every response says `Cross-Origin-Resource-Policy: cross-origin`: a page
 * that sets `Cross-Origin-Embedder-Policy: require-corp` (to get SharedArrayBuffer, e.g. for wasm threads) may load
 * them, even in a plain `<img>`, which sends no CORS request. `X-Content-Type-Options: nosniff` makes browsers take
 * each response for the type it names and nothing else. The HTML pages add a Content-Security-Policy and a referrer
 * policy (./html-page.ts).
 *
 * The browser bundle under /web/ is served by Workers static assets, before the worker runs: the same headers reach
 * it through the assets' `_headers` file, written with the bundle (scripts/lib/web.ts) from {@link ASSET_HEADERS}.
 */
import type { MiddlewareHandler } from 'hono';

/** On every response of the worker. */
export const RESOURCE_HEADERS = {
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'X-Content-Type-Options': 'nosniff',
} as const;

/**
 * On the browser bundle (/web/*): the resource headers, and CORS, since other pages import the client
 * (`import … from 'https://<worker>/web/face-generator.js'` is a CORS request, and so is its codecs' wasm).
 */
const ASSET_HEADERS = { 'Access-Control-Allow-Origin': '*', ...RESOURCE_HEADERS } as const;

/** The static assets' `_headers` file (Cloudflare's format: a path pattern, then its headers indented). */
export function assetHeadersFile(): string {
  const lines = Object.entries(ASSET_HEADERS).map(([name, value]) => `  ${name}: ${value}`);
  return ['# Written by scripts/lib/web.ts from src/http/security-headers.ts.', '/web/*', ...lines, ''].join('\n');
}

/** Middleware that puts {@link RESOURCE_HEADERS} on every response, errors included. */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  for (const [name, value] of Object.entries(RESOURCE_HEADERS)) c.res.headers.set(name, value);
};

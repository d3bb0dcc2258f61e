/**
 * The worker's HTML pages (`/`, `/docs`) with a Content-Security-Policy as strict as each page allows: nothing from
 * other origins, scripts and styles only from the worker's own files, inline `<style>` and `<script>` blocks only by
 * the hash of their exact text (never `'unsafe-inline'`), WebAssembly only where the page compiles it, no plugins, no
 * `<base>`, no framing. The hashes are taken from the page itself, so editing a page's inline block cannot leave it
 * blocked. `Referrer-Policy: no-referrer`, because the demo page's own URL may carry a seed (`/?seed=…`), which is
 * often an e-mail address.
 */
import type { Handler } from 'hono';
import type { AppEnv } from './app-env';

/** What a page needs beyond the strict default. */
export interface PagePolicy {
  /** It compiles WebAssembly (the demo's in-browser decoder and codecs): `'wasm-unsafe-eval'`, no other eval. */
  wasm?: boolean;
  /** It shows images from `blob:` URLs (Swagger UI shows an image response so). */
  blobImages?: boolean;
}

/** The text of each inline `<tag>` block of `html` (`<script src>` loads a file, so it has none). */
function inlineBlocks(html: string, tag: 'script' | 'style'): string[] {
  const blocks = html.matchAll(new RegExp(`<${tag}(\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g'));
  return [...blocks].filter(([, attributes = '']) => !/\bsrc\s*=/.test(attributes)).map(([, , text]) => text);
}

/** CSP source expressions allowing exactly `blocks`: `'sha256-<base64>'` of each block's UTF-8 text. */
async function hashSources(blocks: string[]): Promise<string[]> {
  const utf8 = new TextEncoder();
  return Promise.all(
    blocks.map(async (text) => {
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', utf8.encode(text)));
      return `'sha256-${btoa(String.fromCharCode(...digest))}'`;
    }),
  );
}

/** The Content-Security-Policy of `html` under `policy`. */
export async function contentSecurityPolicy(html: string, policy: PagePolicy = {}): Promise<string> {
  const [scripts, styles] = await Promise.all([hashSources(inlineBlocks(html, 'script')), hashSources(inlineBlocks(html, 'style'))]);
  const directives: Record<string, string[]> = {
    'default-src': ["'none'"],
    'script-src': ["'self'", ...scripts, ...(policy.wasm ? ["'wasm-unsafe-eval'"] : [])],
    'style-src': ["'self'", ...styles],
    // data: is the pages' empty favicon (and images in Swagger UI's styles).
    'img-src': ["'self'", 'data:', ...(policy.blobImages ? ['blob:'] : [])],
    'connect-src': ["'self'"],
    'form-action': ["'self'"],
    'base-uri': ["'none'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

/** A handler answering with `html` (UTF-8), its Content-Security-Policy (hashed once per isolate) and no referrer. */
export function htmlPage(html: string, policy: PagePolicy = {}): Handler<AppEnv> {
  let csp: Promise<string> | undefined;
  return async (c) => {
    csp ??= contentSecurityPolicy(html, policy);
    return c.html(html, 200, { 'Content-Security-Policy': await csp, 'Referrer-Policy': 'no-referrer' });
  };
}

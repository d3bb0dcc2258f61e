/** GET / — a short usage page until the browser demo replaces it. */
import { Hono } from 'hono';
import type { AppEnv } from '../http/app-env';

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>seedface</title>
<h1>seedface</h1>
<p>Any seed string → the same generated face, every time.</p>
<ul>
  <li><a href="/face/alice.png">/face/alice.png</a> — <code>?size=16…512</code> (128), <code>shape=square|circle</code>, <code>v=</code> model version</li>
  <li><a href="/interpolate?from=alice&amp;to=bob&amp;format=apng">/interpolate?from=alice&amp;to=bob</a> — <code>steps=2…16</code> (8), <code>size=16…256</code> (128), <code>format=strip|apng</code></li>
  <li><a href="/latent/alice">/latent/alice</a> — the seed's latent vector</li>
  <li><a href="/healthz">/healthz</a> — model in service</li>
</ul>
`;

/** The usage page route. */
export const homeRoute = new Hono<AppEnv>().get('/', (c) => c.html(PAGE));

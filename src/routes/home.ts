/**
 * GET / — the demo page: faces drawn in the browser by web/demo.ts (the worker's own runtime on WebGPU or WASM), the
 * server's PNG beside them for comparison, the embed panel (an `<img>` and a `<seedface-avatar>` of /web/seedface.js
 * for the chosen face, previewed), and the HTTP API in brief. Static HTML: the script reads `?seed=` and
 * `?to=` itself, so the page is one cacheable document.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../http/app-env';
import { htmlPage } from '../http/html-page';

const PAGE = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>seedface</title>
<link rel="icon" href="data:,">
<link rel="modulepreload" href="/web/demo.js">
<link rel="modulepreload" href="/web/seedface.js">
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 1.5rem auto; padding: 0 1rem; color: #1b1b1b; }
  form, .row { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; margin: .75rem 0; }
  input[type=text] { font: inherit; padding: .2rem .4rem; width: 12rem; }
  input[type=range] { width: 16rem; }
  button, select { font: inherit; }
  :focus-visible { outline: 3px solid #1a5fb4; outline-offset: 2px; }
  .faces { display: flex; flex-wrap: wrap; gap: 1.5rem; margin: 1rem 0; }
  figure { margin: 0; }
  canvas, .faces img { width: 256px; height: 256px; image-rendering: pixelated; background: #eee; display: block; }
  figcaption { font-size: .9rem; color: #555; }
  dl { display: grid; grid-template-columns: max-content auto; gap: .1rem 1rem; }
  dd { margin: 0; font-variant-numeric: tabular-nums; }
  code { font-size: .9em; }
  fieldset:not([hidden]) { display: grid; grid-template-columns: minmax(0, 1fr) 10rem 2.5rem; gap: .2rem .75rem; align-items: center; border: 1px solid #ccc; margin: 1rem 0; }
  fieldset input[type=range] { width: 10rem; }
  .embed { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; margin: .75rem 0; }
  .embed figure { flex: 0 0 auto; min-width: 8rem; }
  .embed pre { flex: 1 1 20rem; margin: 0; padding: .5rem .75rem; background: #f3f3f3; white-space: pre-wrap; overflow-wrap: anywhere; }
</style>
<main>
<h1>seedface</h1>
<p>Any seed string → the same generated face, every time. The left face is drawn in your browser by the same
runtime the server uses (WebGPU where available, WebAssembly otherwise); the right one is the server's PNG.</p>

<form id="face-form">
  <label for="seed">Seed</label>
  <input type="text" id="seed" name="seed" value="alice" required autocomplete="off" spellcheck="false">
  <label for="size">Size</label>
  <select id="size" name="size"><option>64</option><option selected>128</option><option>256</option></select>
  <button type="submit">Draw</button>
</form>

<div class="row">
  <label for="to">Morph to seed</label>
  <input type="text" id="to" name="to" value="bob" autocomplete="off" spellcheck="false">
  <label for="morph">Morph</label>
  <input type="range" id="morph" min="0" max="100" step="1" value="0" aria-describedby="morph-value">
  <output id="morph-value" for="morph">0 %</output>
</div>

<div class="faces">
  <figure>
    <canvas id="browser-face" width="128" height="128" role="img" aria-label="Face drawn in the browser"></canvas>
    <figcaption>In your browser</figcaption>
  </figure>
  <figure>
    <!-- The URL web/demo.ts writes for the default seed and size, so the browser fetches it once. -->
    <img id="server-face" src="/face/alice.png?size=128" width="128" height="128" alt="The face for seed “alice” rendered by the server">
    <figcaption>From the server (<a id="server-link" href="/face/alice.png?size=128">PNG</a>)</figcaption>
  </figure>
</div>

<div class="row">
  <label for="download-format">Format</label>
  <select id="download-format"><option value="png" selected>PNG</option><option value="webp">WebP</option><option value="jpeg">JPEG</option></select>
  <button type="button" id="download" disabled>Download</button>
</div>

<fieldset id="attributes" hidden>
  <legend>Attributes (−2…2; 0 is the seed's own face)</legend>
</fieldset>

<p id="status" role="status" aria-live="polite">Loading the model…</p>
<dl>
  <dt>Backend</dt><dd><output id="backend">–</output></dd>
  <dt>Time per face</dt><dd><output id="ms">–</output></dd>
  <dt>First face after page load</dt><dd><output id="first-face">–</output></dd>
</dl>

<h2>In your page</h2>
<p>The face above, for the seed, size and attributes chosen, in any page: a plain <code>&lt;img&gt;</code> with a
<code>srcset</code> for 2× and 3× screens, or the <code>&lt;seedface-avatar&gt;</code> element of
<a href="/web/seedface.js">/web/seedface.js</a> (no framework; <code>&lt;seedface-morph from to&gt;</code> morphs). With
<code>local</code> the element draws the face in the page, as the left face above is drawn, and sends the seed nowhere.</p>
<div class="embed">
  <figure><span id="embed-img-preview"></span><figcaption>Preview</figcaption></figure>
  <pre><code id="embed-img"></code></pre>
</div>
<div class="row">
  <input type="checkbox" id="embed-local">
  <label for="embed-local">Draw it in the page (<code>local</code>)</label>
</div>
<div class="embed">
  <figure><span id="embed-avatar-preview"></span><figcaption>Preview</figcaption></figure>
  <pre><code id="embed-avatar"></code></pre>
</div>

<h2>HTTP API</h2>
<p>The <a href="/docs">API reference</a> lists every route, parameter and response; <a href="/openapi.json">/openapi.json</a> is its OpenAPI 3.1 document, for tools and client generators.</p>
<ul>
  <li><a href="/face/alice.png">/face/alice.png</a>, <a href="/face/alice.webp">.webp</a>, <a href="/face/alice.jpg">.jpg</a> — <code>?size=16…512</code> (128), <code>shape=square|circle</code> (not JPEG), <code>format=png|webp|jpeg</code> without an extension, <code>quality=1…100</code> (85, WebP and JPEG), <code>v=</code> model version, attribute strengths such as <code>smile=0.8</code></li>
  <li><a href="/interpolate?from=alice&amp;to=bob&amp;format=apng">/interpolate?from=alice&amp;to=bob</a> — <code>steps=2…16</code> (8), <code>size=16…256</code> (128), <code>format=strip|apng|webp|jpeg</code>, <code>quality</code></li>
  <li><a href="/latent/alice">/latent/alice</a> — the seed's latent vector</li>
  <li><a href="/attributes">/attributes</a> — the attributes faces can be shifted along</li>
  <li><a href="/healthz">/healthz</a> — model in service</li>
  <li><a href="/models/manifest.json">/models/manifest.json</a> — the models, and <code>/models/&lt;file&gt;</code> their bytes</li>
</ul>
<h2>In your own script</h2>
<pre><code>import { createFaceGenerator } from '/web/face-generator.js';
const faces = await createFaceGenerator();          // WebGPU, else WebAssembly
const { imageData } = await faces.generate('alice', { size: 128 });</code></pre>
</main>
<script type="module" src="/web/seedface.js"></script>
<script type="module" src="/web/demo.js"></script>
</html>
`;

/** The demo page route: its script compiles the decoder's and the codecs' wasm. */
export const homeRoute = new Hono<AppEnv>().get('/', htmlPage(PAGE, { wasm: true }));

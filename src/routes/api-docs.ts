/**
 * GET /openapi.json — the API's OpenAPI 3.1 document (src/http/openapi.ts), its server the origin it was asked at
 * (so client generators get this deployment's URL), built on the first request an isolate gets for that origin, so no
 * isolate pays for it at start-up; and GET /docs — the reference page rendering it with Swagger UI,
 * whose script and styles are part of the browser bundle (web/docs.ts, served as /web/docs.js and /web/docs.css): the
 * page loads nothing from anywhere else.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../http/app-env';
import { htmlPage } from '../http/html-page';
import { openApiDocument } from '../http/openapi';
import { LruCache } from '../runtime/lru';

const PAGE = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>seedface API reference</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/web/docs.css">
<main id="api-reference"><noscript>The reference needs JavaScript; the document itself is <a href="/openapi.json">/openapi.json</a>.</noscript></main>
<script type="module" src="/web/docs.js"></script>
</html>
`;

/** The document by origin: a deployment answers at one or two (its domain, workers.dev); a few more cost little. */
const documents = new LruCache<string, string>(4);

/** The documentation routes. */
export const apiDocsRoute = new Hono<AppEnv>()
  .get('/openapi.json', (c) => {
    const origin = new URL(c.req.url).origin;
    const document = documents.get(origin, () => JSON.stringify(openApiDocument(origin)));
    // Changes only with a deploy; five minutes bounds how long a client reads an old one after that.
    return c.body(document, 200, { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=300' });
  })
  // Swagger UI shows an image response ("Try it out" on /face) from a blob: URL.
  .get('/docs', htmlPage(PAGE, { blobImages: true }));

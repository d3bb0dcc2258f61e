/**
 * `npm run openapi`: writes the OpenAPI document (src/http/openapi.ts) to the file given, or dist/openapi.json, for the
 * linters (`npm run lint:openapi`). Its server is `npm start`'s address; a deployment serves it with its own origin.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { openApiDocument } from '../src/http/openapi';
import { ROOT } from './lib/root';

/** Where `npm start` (wrangler dev) listens. */
const DEV_ORIGIN = 'http://localhost:8787';

const file = process.argv[2] ?? join(ROOT, 'dist', 'openapi.json');
mkdirSync(dirname(file), { recursive: true });
// Several people lint in one checkout: the file is renamed into place whole, never read half-written.
const tmp = `${file}.${process.pid}.tmp`;
writeFileSync(tmp, `${JSON.stringify(openApiDocument(DEV_ORIGIN), null, 2)}\n`);
renameSync(tmp, file);
console.log(`wrote ${relative(process.cwd(), file)}`);

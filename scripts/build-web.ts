/** `npm run build:web`: builds the browser bundle into the worker's static assets (scripts/lib/web.ts). */
import { relative } from 'node:path';
import { buildWeb } from './lib/web';

for (const path of buildWeb()) console.log(relative(process.cwd(), path));

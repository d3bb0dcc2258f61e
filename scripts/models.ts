/**
 * Copies models/ (manifest.json and every decoder and attributes file it names) into the MODELS R2 bucket with
 * wrangler: `--local` fills wrangler dev's local bucket (no account, offline; used by `npm start`), `--remote` the
 * real one (`npm run models:upload`). The named files go first and the manifest last, so a reader never sees a
 * manifest that names a file not yet uploaded. SEEDFACE_MODELS_DIR overrides the folder. Arguments after the target go
 * to every `wrangler r2 object put` (`--persist-to DIR` fills another local state folder, as `npm run soak` does).
 */
import { readManifest } from './lib/models-dir';
import { modelUploads, runtimeObjects } from './lib/uploads';
import { wrangler } from './lib/wrangler';
import { bucketName } from './lib/wrangler-config';

const target = process.argv[2];
if (target !== '--local' && target !== '--remote') {
  console.error('usage: tsx scripts/models.ts --local|--remote [wrangler options]');
  process.exit(2);
}

const bucket = bucketName();
const extra = process.argv.slice(3);

// ORT's browser wasm (for the demo page and web/face-generator.ts) first: it does not depend on the models.
for (const { key, path, type, encoding } of [...runtimeObjects(), ...modelUploads()]) {
  console.log(`${target.slice(2)} r2://${bucket}/${key}`);
  wrangler(['r2', 'object', 'put', `${bucket}/${key}`, '--file', path, '--content-type', type, ...(encoding ? ['--content-encoding', encoding] : []), target, ...extra]);
}
console.log(`current model: ${readManifest().current}`);

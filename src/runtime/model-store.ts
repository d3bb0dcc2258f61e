/**
 * Model store: the manifest and decoders from an R2-like bucket (see models/README.md), verified and cached for the
 * life of the isolate. Failures are never cached, so the request after a fix succeeds without a redeploy.
 */
import { parseAttributes, type AttributeSet } from './attributes';
import { BatchingDecoder, type OrtApi } from './decoder';
import { toHex } from './hex';
import { findEntry, parseManifest, type Manifest, type ModelEntry } from './manifest';

/** The subset of an R2 bucket binding the store reads. */
export interface ModelBucket {
  get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null>;
}

/** The model cannot be served right now (missing, corrupt, failed to load): a 503 the client may retry. */
export class ModelUnavailableError extends Error {
  readonly retryAfterSeconds = 10;
}

/** The request names a version the manifest does not list: the client's error (400). */
export class UnknownVersionError extends Error {}

/** A loaded model: its manifest entry, a ready decoder and its attribute directions. */
export interface LoadedModel {
  entry: ModelEntry;
  decoder: BatchingDecoder;
  attributes: AttributeSet;
}

/** How long a fetched manifest is trusted before R2 is read again, so a new `current` reaches running isolates. */
const MANIFEST_TTL_MS = 60_000;

/** Caches the manifest and one decoder per version; concurrent callers share one in-flight load. */
export class ModelStore {
  private manifestLoad: { at: number; promise: Promise<Manifest> } | null = null;
  private models = new Map<string, Promise<LoadedModel>>();
  private attributeSets = new Map<string, Promise<AttributeSet>>();

  constructor(private readonly ort: OrtApi) {}

  /** The manifest, read from the bucket at most once per {@link MANIFEST_TTL_MS}. */
  manifest(bucket: ModelBucket): Promise<Manifest> {
    const now = Date.now();
    if (!this.manifestLoad || now - this.manifestLoad.at > MANIFEST_TTL_MS) {
      const promise = this.fetchManifest(bucket);
      const load = { at: now, promise };
      this.manifestLoad = load;
      promise.catch(() => {
        if (this.manifestLoad === load) this.manifestLoad = null;
      });
    }
    return this.manifestLoad.promise;
  }

  /** The manifest entry for `version` (default: current), without loading the decoder. */
  async entry(bucket: ModelBucket, version?: string): Promise<ModelEntry> {
    const manifest = await this.manifest(bucket);
    const entry = findEntry(manifest, version);
    if (!entry) throw new UnknownVersionError(`unknown model version "${version}"; known: ${manifest.models.map((e) => e.version).join(', ')}`);
    return entry;
  }

  /**
   * The loaded model for `version` (default: current). Its attributes file is part of it: a model whose attributes
   * are missing or corrupt is unavailable, like one whose decoder is.
   */
  async model(bucket: ModelBucket, version?: string): Promise<LoadedModel> {
    const entry = await this.entry(bucket, version);
    // Keyed by sha too: a version whose bytes changed (which the contract forbids) must not keep stale weights.
    return this.rereadManifestOnFailure(shared(this.models, `${entry.version}:${entry.sha256}:${entry.attributesSha256}`, async () => {
      // Both settle before this request ends: workerd cancels a finished request's I/O, and a shared load left
      // pending that way would hang every later request. The decoder's error, if any, is the one reported.
      const [decoder, attributes] = await Promise.allSettled([this.loadDecoder(bucket, entry), this.loadAttributes(bucket, entry)]);
      if (decoder.status === 'rejected') throw decoder.reason;
      if (attributes.status === 'rejected') throw attributes.reason;
      return { entry, decoder: decoder.value, attributes: attributes.value };
    }));
  }

  /** The attribute directions of `version` (default: current), without loading the decoder. */
  async attributes(bucket: ModelBucket, version?: string): Promise<AttributeSet> {
    const entry = await this.entry(bucket, version);
    return this.rereadManifestOnFailure(this.loadAttributes(bucket, entry));
  }

  /**
   * `load`, but a failure also drops the cached manifest: it may be what is wrong (a sha256, size or name that does
   * not fit the file), and fixing it must take effect on the next request, not after {@link MANIFEST_TTL_MS}.
   */
  private async rereadManifestOnFailure<T>(load: Promise<T>): Promise<T> {
    try {
      return await load;
    } catch (error) {
      this.manifestLoad = null;
      throw error;
    }
  }

  private async fetchManifest(bucket: ModelBucket): Promise<Manifest> {
    const object = await bucket.get('manifest.json');
    if (!object) throw new ModelUnavailableError('model manifest.json is missing from the bucket');
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(await object.arrayBuffer()));
    } catch {
      throw new ModelUnavailableError('model manifest.json is not valid JSON');
    }
    try {
      return parseManifest(json);
    } catch (error) {
      throw new ModelUnavailableError(`model manifest.json is invalid: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** R2 bytes of `key`, checked against `sha256`; `what` names the file in errors. */
  private async verifiedBytes(bucket: ModelBucket, key: string, sha256: string, what: string): Promise<ArrayBuffer> {
    const object = await bucket.get(key);
    if (!object) throw new ModelUnavailableError(`${what} ${key} is missing from the bucket`);
    const bytes = await object.arrayBuffer();
    if (toHex(await crypto.subtle.digest('SHA-256', bytes)) !== sha256) throw new ModelUnavailableError(`${what} ${key} does not match its sha256`);
    return bytes;
  }

  private async loadDecoder(bucket: ModelBucket, entry: ModelEntry): Promise<BatchingDecoder> {
    const bytes = await this.verifiedBytes(bucket, entry.file, entry.sha256, 'model file');
    try {
      return await BatchingDecoder.create(this.ort, new Uint8Array(bytes), entry);
    } catch (error) {
      throw new ModelUnavailableError(`model ${entry.version} failed to load: ${String(error)}`);
    }
  }

  private loadAttributes(bucket: ModelBucket, entry: ModelEntry): Promise<AttributeSet> {
    const { attributesFile: file, attributesSha256: sha256, attributes: names } = entry;
    if (!file || !sha256 || !names) return Promise.resolve(new Map());
    return shared(this.attributeSets, `${entry.version}:${sha256}`, async () => {
      const bytes = await this.verifiedBytes(bucket, file, sha256, 'attributes file');
      try {
        return parseAttributes(JSON.parse(new TextDecoder().decode(bytes)), entry.latentSize, names);
      } catch (error) {
        throw new ModelUnavailableError(`attributes file ${file} is invalid: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  }
}

/** `cache`'s promise for `key`, started by `load` if absent; a failed load is forgotten so the next call retries. */
function shared<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let promise = cache.get(key);
  if (!promise) {
    promise = load();
    cache.set(key, promise);
    promise.catch(() => cache.delete(key));
  }
  return promise;
}

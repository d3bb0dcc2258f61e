/**
 * Starting one of squoosh's Emscripten codecs (packaged by jSquash) on a precompiled `WebAssembly.Module`. workerd
 * refuses to compile wasm from bytes at run time but lets a script instantiate a Module it imported (the rule ORT's
 * wasm follows too, src/runtime/ort-workerd.ts); Node and browsers compile the Module from the file's bytes first.
 */

/** The Emscripten glue's module factory, as jSquash's codec files export it. */
export type EmscriptenFactory<T> = (options: Record<string, unknown>) => Promise<T>;

/** Bytes of a started codec's wasm linear memory (Emscripten keeps a view of it on the module as HEAP8). */
export function codecMemoryBytes(codec: unknown): number {
  return (codec as { HEAP8?: Int8Array }).HEAP8?.buffer.byteLength ?? 0;
}

/** Instantiates `module` under the glue `factory` (never letting the glue fetch or compile); resolves when ready. */
export function startCodec<T>(factory: EmscriptenFactory<T>, module: WebAssembly.Module): Promise<T> {
  return factory({
    noInitialRun: true,
    instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void) {
      const instance = new WebAssembly.Instance(module, imports);
      done(instance);
      return instance.exports;
    },
  });
}

/**
 * Compiles wasm bytes, for Node and browsers only: workerd forbids it (there the Module is imported instead), which is
 * why Workers' types leave `WebAssembly.compile` out.
 */
export function compileWasm(bytes: BufferSource): Promise<WebAssembly.Module> {
  return (WebAssembly as unknown as { compile(bytes: BufferSource): Promise<WebAssembly.Module> }).compile(bytes);
}

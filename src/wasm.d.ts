/** Wrangler's CompiledWasm rule: a `.wasm` import is a precompiled module. */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}

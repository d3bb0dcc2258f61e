/**
 * The smallest ONNX graph ORT accepts (one Identity node, 65 bytes): creating a session from it starts ORT's runtime
 * (fetching or instantiating its wasm, ~0.4 s) through the public API before the real model's bytes are at hand.
 */
export const IDENTITY_MODEL = Uint8Array.from(atob('CAg6NwoQCgF4EgF5IghJZGVudGl0eRIBdFoPCgF4EgoKCAgBEgQKAggBYg8KAXkSCgoICAESBAoCCAFCBAoAEBE='), (c) => c.charCodeAt(0));

/** The one upng-js call the encoder comparison in bench/edge-worker.ts makes. */
declare module 'upng-js' {
  const UPNG: { encode(frames: ArrayBuffer[], width: number, height: number, colours: number): ArrayBuffer };
  export default UPNG;
}

/**
 * `<seedface-morph from="alice" to="bob">`: the morph between two seeds' faces, as `GET /interpolate` draws it.
 *
 * Attributes: `from`, `to`; each `/interpolate` parameter under its own name (`size`, `steps`, `shape`,
 * `background`, `grayscale`, `blur`, `v`); `strengths="smile=0.8"`; `alt`; `local`; and how it moves: `t` (0 = `from`
 * … 1 = `to`: the frame shown, for a slider the page drives), `autoplay`, `loop` (there and back, endlessly) and
 * `duration` (ms from one end to the other, default 2000). The `t` property reads the position shown and sets it
 * (which stops playback, as setting the attribute does); `play()` and `pause()` do what they say. Autoplay waits
 * for an explicit `play()` where the reader asked for reduced motion.
 *
 * The frames are `/interpolate`'s (one PNG strip, `steps` frames, drawn on a canvas one at a time: position t shows
 * frame round(t · (steps − 1))), or with `local` the same frames drawn in the page, no request carrying a seed.
 * Failures show a neutral box and warn as `<seedface-avatar>` does.
 */
import { MAX_SIDE } from '../src/http/frame-size';
import { SERVICE, serviceUrl, type InterpolateUrlOptions } from './face-url';
import { failureOf, localFaces, SeedfaceElement } from './seedface-element';

/**
 * The `/interpolate` parameters taken as attributes: all but `format` and `quality` (the frames are one lossless
 * strip) and `dpr` (the screen's). Typed against the route's schema, like the avatar's.
 */
const PARAMS = {
  size: true,
  steps: true,
  shape: true,
  background: true,
  grayscale: true,
  blur: true,
  v: true,
} satisfies Record<Exclude<keyof InterpolateUrlOptions, 'format' | 'quality' | 'dpr' | 'attributes'>, true>;

/** Attributes that move the morph without loading other frames. */
const PLAYBACK = ['t', 'autoplay', 'loop', 'duration'];

/** Loaded frames: how many, and how to draw one on the canvas. */
interface Frames {
  count: number;
  draw(context: CanvasRenderingContext2D, index: number): void;
}

/** The strip of `url`, once decoded, as frames (square, side by side); a failure says why. */
async function stripFrames(url: string): Promise<Frames & { side: number }> {
  const strip = new Image();
  // a CORS image leaves the canvas readable, so the page may export what it shows
  strip.crossOrigin = 'anonymous';
  strip.src = url;
  await strip.decode().catch(async () => {
    throw new Error(await failureOf(url));
  });
  const side = strip.naturalHeight;
  return { side, count: strip.naturalWidth / side, draw: (context, i) => context.drawImage(strip, i * side, 0, side, side, 0, 0, side, side) };
}

/** `<seedface-morph>`: see the module comment. */
export class SeedfaceMorph extends SeedfaceElement {
  static readonly observedAttributes = [...Object.keys(PARAMS), 'from', 'to', 'strengths', 'alt', 'local', ...PLAYBACK];
  protected readonly params = Object.keys(PARAMS);
  #frames?: Frames;
  #context?: CanvasRenderingContext2D;
  #t = 0;
  #drawn = -1;
  #playing = false;
  #animation = 0;

  /** The position shown, 0 (`from`) … 1 (`to`); setting it stops playback and shows that position. */
  get t(): number {
    return this.#t;
  }

  set t(value: number) {
    this.setAttribute('t', String(value));
  }

  /** Plays from the position shown (from the start if a single run is over), once the frames are there. */
  play(): void {
    this.#playing = true;
    this.#animate();
  }

  /** Stops at the position shown. */
  pause(): void {
    this.#playing = false;
    cancelAnimationFrame(this.#animation);
  }

  override attributeChangedCallback(name?: string, _old?: string | null, value?: string | null): void {
    if (!PLAYBACK.includes(name!)) return super.attributeChangedCallback();
    if (name === 't') {
      this.pause();
      this.#seek(Number(value));
    } else if (name === 'autoplay') {
      if (value === null) this.pause();
      else if (this.#autoplays()) this.play();
    } else if (this.#playing) this.#animate();
  }

  disconnectedCallback(): void {
    cancelAnimationFrame(this.#animation);
  }

  protected async render(current: () => boolean): Promise<void> {
    const from = this.getAttribute('from'), to = this.getAttribute('to');
    if (from === null || to === null) throw new RangeError(`${from === null ? 'from' : 'to'}: missing`);
    const sides = this.sides();
    const query = { ...this.query(), dpr: String(this.pixelRatio(MAX_SIDE.interpolate, sides)) };
    let frames: Frames & { side: number };
    if (this.hasAttribute('local')) {
      const images = await (await localFaces()).drawMorph(SERVICE.href, from, to, query);
      frames = { side: images[0].width, count: images.length, draw: (context, i) => context.putImageData(images[i], 0, 0) };
    } else {
      frames = await stripFrames(serviceUrl('interpolate', { from, to, ...query }));
    }
    if (!current()) return;
    // autoplay starts the first frames; later ones (other seeds, say) keep playing only if it still plays
    const first = !this.#frames;
    this.#frames = frames;
    this.#context = this.canvas([frames.side, frames.side], sides);
    this.#drawn = -1;
    this.#seek(this.#t);
    this.loaded();
    if (this.#playing || (first && this.#autoplays())) this.play();
  }

  #autoplays(): boolean {
    return this.hasAttribute('autoplay') && !matchMedia('(prefers-reduced-motion: reduce)').matches;
  }

  /** Shows position `t` (clamped to 0…1; not a number is 0): the nearest frame, drawn if it is not the one shown. */
  #seek(t: number): void {
    this.#t = Math.min(1, Math.max(0, t || 0));
    const frames = this.#frames;
    if (!frames) return;
    const index = Math.round(this.#t * (frames.count - 1));
    if (index !== this.#drawn) frames.draw(this.#context!, index);
    this.#drawn = index;
  }

  /** Runs playback from the position shown, at `duration` per end-to-end pass, there and back with `loop`. */
  #animate(): void {
    cancelAnimationFrame(this.#animation);
    if (!this.#frames || !this.isConnected) return;
    const duration = Number(this.getAttribute('duration')) > 0 ? Number(this.getAttribute('duration')) : 2000;
    const loop = this.hasAttribute('loop');
    if (!loop && this.#t >= 1) this.#t = 0;
    const start = performance.now() - this.#t * duration;
    const step = (now: number) => {
      const x = Math.max(0, now - start) / duration;
      this.#seek(loop ? 1 - Math.abs((x % 2) - 1) : x);
      if (loop || x < 1) this.#animation = requestAnimationFrame(step);
      else this.#playing = false;
    };
    this.#animation = requestAnimationFrame(step);
  }
}
